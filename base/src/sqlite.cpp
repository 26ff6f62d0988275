#include "digikit/base/sqlite.hpp"

#include <sqlite3.h>

namespace digikit::base {

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* statement) const
{
    sqlite3_finalize(statement);
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql, const std::filesystem::path& file)
    : db_(db), sql_(sql), file_(&file)
{
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    statement_.reset(raw);
    check(rc, "cannot prepare");
}

void SqliteStatement::check(int rc, std::string_view what) const
{
    if (rc == SQLITE_OK) return;
    throw SqliteError(file_->string() + ": " + std::string(what) + " '" + sql_ + "': " + sqlite3_errmsg(db_));
}

SqliteStatement& SqliteStatement::bind(std::int64_t value)
{
    check(sqlite3_bind_int64(statement_.get(), ++index_, value), "cannot bind a parameter of");
    return *this;
}

SqliteStatement& SqliteStatement::bind(std::string_view value)
{
    // A default string_view has no data pointer, which SQLite would store as NULL.
    check(sqlite3_bind_text(statement_.get(), ++index_, value.data() == nullptr ? "" : value.data(),
                            static_cast<int>(value.size()), SQLITE_TRANSIENT),
          "cannot bind a parameter of");
    return *this;
}

SqliteStatement& SqliteStatement::bind_value(const SqliteValue& value)
{
    if (const auto* number = std::get_if<std::int64_t>(&value)) return bind(*number);
    if (const auto* text = std::get_if<std::string>(&value)) return bind(std::string_view(*text));
    check(sqlite3_bind_null(statement_.get(), ++index_), "cannot bind a parameter of");
    return *this;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) check(rc, "cannot run");
    return false;
}

int SqliteStatement::columns() const
{
    return sqlite3_column_count(statement_.get());
}

bool SqliteStatement::is_null(int column) const
{
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::integer(int column) const
{
    return sqlite3_column_int64(statement_.get(), column);
}

std::string SqliteStatement::text(int column) const
{
    const auto* bytes = sqlite3_column_text(statement_.get(), column);
    const int size = sqlite3_column_bytes(statement_.get(), column);
    return bytes == nullptr ? std::string()
                            : std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

SqliteValue SqliteStatement::value(int column) const
{
    switch (sqlite3_column_type(statement_.get(), column)) {
        case SQLITE_NULL: return nullptr;
        case SQLITE_INTEGER: return integer(column);
        default: return text(column);
    }
}

void SqliteDatabase::Closer::operator()(sqlite3* db) const
{
    sqlite3_close_v2(db);
}

SqliteDatabase::SqliteDatabase(std::filesystem::path file) : file_(std::move(file))
{
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file_.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
        throw SqliteError(file_.string() +
                          ": cannot open the database: " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, 10000);
    execute_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

SqliteDatabase::~SqliteDatabase() = default;

void SqliteDatabase::execute_script(const std::string& sql)
{
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error != nullptr ? error : sqlite3_errmsg(db_.get());
        sqlite3_free(error);
        throw SqliteError(file_.string() + ": cannot run '" + sql + "': " + message);
    }
}

SqliteStatement SqliteDatabase::prepare(std::string_view sql)
{
    return {db_.get(), sql, file_};
}

std::vector<SqliteDatabase::Row> SqliteDatabase::query(std::string_view sql, const std::vector<Value>& params)
{
    SqliteStatement statement = prepare(sql);
    for (const auto& param : params) statement.bind_value(param);
    std::vector<Row> rows;
    while (statement.step()) {
        Row row;
        for (int c = 0; c < statement.columns(); ++c) row.push_back(statement.value(c));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::int64_t SqliteDatabase::last_insert_id() const
{
    return sqlite3_last_insert_rowid(db_.get());
}

int SqliteDatabase::changes() const
{
    return sqlite3_changes(db_.get());
}

bool SqliteDatabase::is_in_transaction() const
{
    return sqlite3_get_autocommit(db_.get()) == 0;
}

SqliteDatabase::Transaction::Transaction(SqliteDatabase& db) : db_(db)
{
    db_.execute_script("BEGIN IMMEDIATE");
}

SqliteDatabase::Transaction::~Transaction()
{
    if (!done_) {
        try {
            db_.execute_script("ROLLBACK");
        } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done in a destructor
        }
    }
}

void SqliteDatabase::Transaction::commit()
{
    db_.execute_script("COMMIT");
    done_ = true;
}

std::int64_t as_int(const SqliteValue& value)
{
    if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
    if (const auto* text = std::get_if<std::string>(&value)) return std::stoll(*text);
    return 0;
}

std::string as_text(const SqliteValue& value)
{
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
    return {};
}

bool is_null(const SqliteValue& value)
{
    return std::holds_alternative<std::nullptr_t>(value);
}

}  // namespace digikit::base
