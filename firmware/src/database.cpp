#include "database.hpp"

#include <sqlite3.h>

namespace digikit::firmware {
namespace {

struct StatementDeleter {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

}  // namespace

Database::Database(const std::filesystem::path& file) : file_(file)
{
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw DatabaseError(file.string() + ": cannot open the database: " + message);
    }
    sqlite3_busy_timeout(db_, 10000);
    execute_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Database::~Database()
{
    sqlite3_close(db_);
}

void Database::fail(const std::string& what) const
{
    throw DatabaseError(file_.string() + ": " + what + ": " + sqlite3_errmsg(db_));
}

void Database::execute_script(const std::string& sql)
{
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error != nullptr ? error : "unknown error";
        sqlite3_free(error);
        throw DatabaseError(file_.string() + ": " + message);
    }
}

std::vector<Database::Row> Database::query(const std::string& sql, const std::vector<Value>& params)
{
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail("cannot prepare '" + sql + "'");
    const std::unique_ptr<sqlite3_stmt, StatementDeleter> statement(raw);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
            sqlite3_bind_int64(raw, index, *number);
        } else if (const auto* text = std::get_if<std::string>(&params[i])) {
            sqlite3_bind_text(raw, index, text->c_str(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(raw, index);
        }
    }
    std::vector<Row> rows;
    for (;;) {
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) fail("cannot run '" + sql + "'");
        Row row;
        for (int c = 0; c < sqlite3_column_count(raw); ++c) {
            switch (sqlite3_column_type(raw, c)) {
                case SQLITE_NULL: row.emplace_back(nullptr); break;
                case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(raw, c))); break;
                default: row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(raw, c))));
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::int64_t Database::last_insert_id() const
{
    return sqlite3_last_insert_rowid(db_);
}

Database::Transaction::Transaction(Database& db) : db_(db)
{
    db_.execute_script("BEGIN IMMEDIATE");
}

Database::Transaction::~Transaction()
{
    if (!done_) {
        try {
            db_.execute_script("ROLLBACK");
        } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done in a destructor
        }
    }
}

void Database::Transaction::commit()
{
    db_.execute_script("COMMIT");
    done_ = true;
}

std::int64_t as_int(const Database::Value& value)
{
    if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
    if (const auto* text = std::get_if<std::string>(&value)) return std::stoll(*text);
    return 0;
}

std::string as_text(const Database::Value& value)
{
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
    return {};
}

bool is_null(const Database::Value& value)
{
    return std::holds_alternative<std::nullptr_t>(value);
}

}  // namespace digikit::firmware
