// A thin RAII layer over one libpq connection: statements prepared once per connection (by the address of
// their SQL text), typed parameters and columns. Failures throw PgError, which says whether the connection
// itself is gone and whether the transaction may simply be run again (serialization failure, deadlock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace paygate::postgres {

class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& message, bool connection_lost)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), connection_lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return connection_lost_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  // Running the whole transaction again can succeed: serialization failure, deadlock, or a unique key a
  // concurrent transaction took between our look and our insert.
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01" || is_unique_violation(); }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

// One parameter, in PostgreSQL's text format; nullopt is SQL NULL.
class Param {
 public:
  Param(std::int64_t value) : text_(std::to_string(value)) {}
  Param(std::int32_t value) : text_(std::to_string(value)) {}
  Param(bool value) : text_(value ? "true" : "false") {}
  Param(std::string_view value) : text_(std::string(value)) {}
  Param(const std::string& value) : text_(value) {}
  Param(const char* value) : text_(std::string(value)) {}
  Param(std::nullopt_t) {}
  template <class T>
  Param(const std::optional<T>& value) {
    if (value) text_ = Param(*value).text_;
  }
  const std::optional<std::string>& text() const { return text_; }

 private:
  std::optional<std::string> text_;
};

// A statement's result: its rows, read in order with next() (the same column accessors as sqlite).
class Rows {
 public:
  explicit Rows(pg_result* result);
  Rows(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  bool next();                    // moves to the next row; false after the last
  std::int64_t affected() const;  // rows an INSERT/UPDATE/DELETE changed

  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  pg_result* result_;
  int row_ = -1;
};

struct ConnectOptions {
  std::string url;       // postgresql://user@host:port/db?… (several hosts allowed); never logged
  std::string password;  // from the environment or a file; "" when the URL or ~/.pgpass carries it
  std::uint32_t connect_timeout_s = 5;
  std::uint32_t statement_timeout_ms = 10'000;
};

class Connection {
 public:
  explicit Connection(const ConnectOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL without parameters (several statements allowed): BEGIN, COMMIT, migrations.
  void exec(const char* sql);
  // Runs one statement; `sql` must be a string with static storage (it keys the prepared statement).
  Rows query(const char* sql, std::initializer_list<Param> params = {}) {
    return query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  Rows query(const char* sql, std::span<const Param> params);
  std::int64_t run(const char* sql, std::initializer_list<Param> params = {}) {
    return query(sql, params).affected();
  }
  std::int64_t run(const char* sql, std::span<const Param> params) { return query(sql, params).affected(); }
  // Runs one statement without preparing it (SQL built at run time).
  Rows query_text(const std::string& sql, std::initializer_list<Param> params = {});

  bool healthy() const;  // the connection is up and not inside a failed transaction

 private:
  Rows execute(const char* statement_name, const std::string* sql_text, std::span<const Param> params);
  [[noreturn]] void fail(pg_result* result, std::string_view what);

  pg_conn* conn_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;  // sql address → statement name
};

}  // namespace paygate::postgres
