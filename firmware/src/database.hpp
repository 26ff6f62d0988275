#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace digikit::firmware {

class DatabaseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A thin owner of one SQLite connection: WAL, synchronous=FULL (a row the operator was
// told about must survive a power cut), a busy timeout for the CLI beside the daemon.
class Database {
public:
    using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;
    using Row = std::vector<Value>;

    explicit Database(const std::filesystem::path& file);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    void execute_script(const std::string& sql);
    // Runs one statement with positional parameters; returns its rows.
    std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {});
    void execute(const std::string& sql, const std::vector<Value>& params = {}) { (void)query(sql, params); }
    [[nodiscard]] std::int64_t last_insert_id() const;

    // BEGIN IMMEDIATE ... COMMIT; rolls back if destroyed before commit().
    class Transaction {
    public:
        explicit Transaction(Database& db);
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        ~Transaction();
        void commit();

    private:
        Database& db_;
        bool done_ = false;
    };

private:
    [[noreturn]] void fail(const std::string& what) const;
    sqlite3* db_ = nullptr;
    std::filesystem::path file_;
};

[[nodiscard]] std::int64_t as_int(const Database::Value& value);
[[nodiscard]] std::string as_text(const Database::Value& value);  // "" for NULL
[[nodiscard]] bool is_null(const Database::Value& value);

}  // namespace digikit::firmware
