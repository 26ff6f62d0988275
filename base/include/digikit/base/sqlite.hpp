#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace digikit::base {

// What SQLite refused, naming the database file and the statement:
// "/data/digikit.db: cannot run 'UPDATE books ...': database is locked".
class SqliteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A column's value as SQLite returns it (a REAL or a BLOB comes back as text).
using SqliteValue = std::variant<std::nullptr_t, std::int64_t, std::string>;

// One prepared statement (from SqliteDatabase::prepare): bind the parameters in order,
// then step through the rows.
class SqliteStatement {
public:
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;
    SqliteStatement(SqliteStatement&&) noexcept = default;
    SqliteStatement& operator=(SqliteStatement&&) noexcept = default;
    ~SqliteStatement() = default;

    SqliteStatement& bind(std::int64_t value);
    SqliteStatement& bind(std::string_view value);
    SqliteStatement& bind_value(const SqliteValue& value);  // NULL, an integer or text

    // True while a row is available; false once the statement is done.
    bool step();

    [[nodiscard]] int columns() const;
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] std::string text(int column) const;  // "" for NULL
    [[nodiscard]] SqliteValue value(int column) const;

private:
    friend class SqliteDatabase;
    SqliteStatement(sqlite3* db, std::string_view sql, const std::filesystem::path& file);
    void check(int rc, std::string_view what) const;

    struct Finalizer {
        void operator()(sqlite3_stmt* statement) const;
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
    std::string sql_;
    const std::filesystem::path* file_;  // the database's, which outlives its statements
    int index_ = 0;
};

// One connection to an SQLite file, opened (created when missing) as every part of the kit
// that keeps its records there needs it: WAL, so that readers do not block the writer;
// synchronous=FULL, so that a row the operator was told about survives a power cut;
// foreign keys enforced; and a 10 s busy timeout, so that the daemon, its uploader and the
// CLI beside it wait for each other's transactions instead of failing.
class SqliteDatabase {
public:
    using Value = SqliteValue;
    using Row = std::vector<Value>;

    explicit SqliteDatabase(std::filesystem::path file);
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;
    ~SqliteDatabase();

    // Statements without parameters, one after the other (a schema, a PRAGMA).
    void execute_script(const std::string& sql);
    [[nodiscard]] SqliteStatement prepare(std::string_view sql);
    // One statement with positional parameters; all its rows.
    std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {});
    void execute(std::string_view sql, const std::vector<Value>& params = {}) { (void)query(sql, params); }

    [[nodiscard]] std::int64_t last_insert_id() const;
    [[nodiscard]] int changes() const;  // rows the last INSERT, UPDATE or DELETE changed
    [[nodiscard]] bool is_in_transaction() const;
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

    // BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed before commit().
    class Transaction {
    public:
        explicit Transaction(SqliteDatabase& db);
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        ~Transaction();
        void commit();

    private:
        SqliteDatabase& db_;
        bool done_ = false;
    };

    // Runs `work` in one write transaction: committed when it returns, rolled back when it
    // throws. Inside a transaction already, `work` joins that one.
    template <typename Work>
    void run_in_transaction(Work&& work)
    {
        if (is_in_transaction()) {
            work();
            return;
        }
        Transaction transaction(*this);
        work();
        transaction.commit();
    }

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    std::filesystem::path file_;
    std::unique_ptr<sqlite3, Closer> db_;
};

[[nodiscard]] std::int64_t as_int(const SqliteValue& value);
[[nodiscard]] std::string as_text(const SqliteValue& value);  // "" for NULL
[[nodiscard]] bool is_null(const SqliteValue& value);

}  // namespace digikit::base
