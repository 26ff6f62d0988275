#include "digikit/base/sqlite.hpp"

#include <gtest/gtest.h>

#include <string>

#include "temp_dir.hpp"

namespace digikit::base {
namespace {

TEST(Sqlite, OpensInWalWithFullSynchronousAndForeignKeys)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    EXPECT_EQ(as_text(db.query("PRAGMA journal_mode")[0][0]), "wal");
    EXPECT_EQ(as_int(db.query("PRAGMA synchronous")[0][0]), 2);  // FULL
    EXPECT_EQ(as_int(db.query("PRAGMA foreign_keys")[0][0]), 1);
}

TEST(Sqlite, BindsAndReadsBackEveryKindOfValue)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    db.execute_script("CREATE TABLE t (n INTEGER, s TEXT, z TEXT)");
    db.execute("INSERT INTO t VALUES (?, ?, ?)", {std::int64_t{-7}, std::string("a\0b", 3), nullptr});
    EXPECT_EQ(db.last_insert_id(), 1);
    EXPECT_EQ(db.changes(), 1);
    auto select = db.prepare("SELECT n, s, z FROM t WHERE n = ?");
    select.bind(std::int64_t{-7});
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.integer(0), -7);
    EXPECT_EQ(select.text(1), std::string("a\0b", 3));
    EXPECT_TRUE(select.is_null(2));
    EXPECT_EQ(select.text(2), "");
    EXPECT_FALSE(select.step());
    const auto rows = db.query("SELECT n, s, z FROM t");
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(as_int(rows[0][0]), -7);
    EXPECT_EQ(as_text(rows[0][1]), std::string("a\0b", 3));
    EXPECT_TRUE(is_null(rows[0][2]));
}

TEST(Sqlite, AnEmptyStringViewIsStoredAsEmptyTextNotNull)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    db.execute_script("CREATE TABLE t (s TEXT NOT NULL)");
    auto insert = db.prepare("INSERT INTO t VALUES (?)");
    insert.bind(std::string_view{});
    EXPECT_FALSE(insert.step());
    EXPECT_EQ(as_text(db.query("SELECT s FROM t")[0][0]), "");
}

TEST(Sqlite, ErrorsNameTheFileAndTheStatement)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    db.execute_script("CREATE TABLE t (n INTEGER UNIQUE)");
    db.execute("INSERT INTO t VALUES (1)");
    try {
        db.execute("INSERT INTO t VALUES (1)");
        FAIL() << "a duplicate row was accepted";
    } catch (const SqliteError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find((dir / "kit.db").string()), std::string::npos) << message;
        EXPECT_NE(message.find("INSERT INTO t VALUES (1)"), std::string::npos) << message;
        EXPECT_NE(message.find("UNIQUE"), std::string::npos) << message;
    }
    EXPECT_THROW((void)db.prepare("SELEKT 1"), SqliteError);
    EXPECT_THROW(db.execute_script("CREATE TABLE t (n)"), SqliteError);
    EXPECT_THROW(SqliteDatabase(dir / "no such folder" / "kit.db"), SqliteError);
}

TEST(Sqlite, ATransactionNotCommittedIsRolledBack)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    db.execute_script("CREATE TABLE t (n INTEGER)");
    {
        SqliteDatabase::Transaction transaction(db);
        db.execute("INSERT INTO t VALUES (1)");
        EXPECT_TRUE(db.is_in_transaction());
    }
    EXPECT_FALSE(db.is_in_transaction());
    EXPECT_EQ(as_int(db.query("SELECT COUNT(*) FROM t")[0][0]), 0);
    {
        SqliteDatabase::Transaction transaction(db);
        db.execute("INSERT INTO t VALUES (2)");
        transaction.commit();
    }
    EXPECT_EQ(as_int(db.query("SELECT COUNT(*) FROM t")[0][0]), 1);
}

TEST(Sqlite, RunInTransactionCommitsRollsBackOnThrowAndJoinsAnOuterOne)
{
    testing::TempDir dir;
    SqliteDatabase db(dir / "kit.db");
    db.execute_script("CREATE TABLE t (n INTEGER)");
    db.run_in_transaction([&] { db.execute("INSERT INTO t VALUES (1)"); });
    EXPECT_THROW(db.run_in_transaction([&] {
        db.execute("INSERT INTO t VALUES (2)");
        throw std::runtime_error("refused");
    }),
                 std::runtime_error);
    EXPECT_EQ(as_int(db.query("SELECT COUNT(*) FROM t")[0][0]), 1);
    {
        SqliteDatabase::Transaction outer(db);
        db.run_in_transaction([&] { db.execute("INSERT INTO t VALUES (3)"); });
        EXPECT_TRUE(db.is_in_transaction());  // joined, not committed on its own
    }
    EXPECT_EQ(as_int(db.query("SELECT COUNT(*) FROM t")[0][0]), 1);
}

TEST(Sqlite, ASecondConnectionSeesCommittedRows)
{
    testing::TempDir dir;
    SqliteDatabase writer(dir / "kit.db");
    writer.execute_script("CREATE TABLE t (n INTEGER)");
    writer.execute("INSERT INTO t VALUES (5)");
    SqliteDatabase reader(dir / "kit.db");
    EXPECT_EQ(as_int(reader.query("SELECT n FROM t")[0][0]), 5);
}

}  // namespace
}  // namespace digikit::base
