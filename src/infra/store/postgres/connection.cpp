#include "infra/store/postgres/connection.h"

#include <libpq-fe.h>

#include "fmt/format.h"

namespace paygate::postgres {

Rows::Rows(pg_result* result) : result_(result) {}
Rows::Rows(Rows&& other) noexcept : result_(other.result_), row_(other.row_) { other.result_ = nullptr; }
Rows::~Rows() {
  if (result_) PQclear(result_);
}

int Rows::size() const { return PQntuples(result_); }

bool Rows::next() {
  if (row_ + 1 >= PQntuples(result_)) return false;
  ++row_;
  return true;
}

std::int64_t Rows::affected() const {
  const char* text = PQcmdTuples(result_);
  return text && *text ? std::stoll(text) : 0;
}

std::int64_t Rows::column_int64(int column) const {
  if (PQgetisnull(result_, row_, column)) return 0;
  const char* text = PQgetvalue(result_, row_, column);
  // Booleans read as 0/1, like SQLite's integers.
  if (text[0] == 't' && text[1] == '\0') return 1;
  if (text[0] == 'f' && text[1] == '\0') return 0;
  return std::stoll(text);
}

std::string Rows::column_text(int column) const {
  return std::string(PQgetvalue(result_, row_, column),
                     static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

bool Rows::column_is_null(int column) const { return PQgetisnull(result_, row_, column) != 0; }

Connection::Connection(const ConnectOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout_s);
  const std::string statement_options = fmt::format(
      "-c statement_timeout={} -c idle_in_transaction_session_timeout={} -c client_min_messages=warning -c "
      "jit=off",
      options.statement_timeout_ms, std::max<std::uint32_t>(options.statement_timeout_ms * 6, 60'000));
  // dbname carries the whole URL (expand_dbname = 1); the keywords after it fill in what the URL leaves out.
  std::vector<const char*> keys = {"dbname", "connect_timeout", "options", "application_name"};
  std::vector<const char*> values = {options.url.c_str(), timeout.c_str(), statement_options.c_str(),
                                     "paygate"};
  if (!options.password.empty()) {
    keys.push_back("password");
    values.push_back(options.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("08001", "postgres connect: " + message, true);
  }
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::healthy() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::fail(pg_result* result, std::string_view what) {
  std::string sqlstate;
  std::string message;
  if (result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state) sqlstate = state;
    message = PQresultErrorMessage(result);
    PQclear(result);
  }
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const bool lost = PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") ||
                    sqlstate.starts_with("57P") || sqlstate == "25006";  // 25006: the server is a standby now
  throw PgError(sqlstate, fmt::format("postgres {}: {}", what, message), lost);
}

void Connection::exec(const char* sql) {
  pg_result* result = PQexec(conn_, sql);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, "exec");
  PQclear(result);
}

Rows Connection::query(const char* sql, std::span<const Param> params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    pg_result* result = PQprepare(conn_, name.c_str(), sql, 0, nullptr);
    if (!result || PQresultStatus(result) != PGRES_COMMAND_OK) fail(result, "prepare");
    PQclear(result);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return execute(it->second.c_str(), nullptr, params);
}

Rows Connection::query_text(const std::string& sql, std::initializer_list<Param> params) {
  return execute(nullptr, &sql, std::span<const Param>(params.begin(), params.size()));
}

Rows Connection::execute(const char* statement_name, const std::string* sql_text,
                         std::span<const Param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) values.push_back(param.text() ? param.text()->c_str() : nullptr);
  const int count = static_cast<int>(values.size());
  pg_result* result =
      statement_name
          ? PQexecPrepared(conn_, statement_name, count, values.data(), nullptr, nullptr, 0)
          : PQexecParams(conn_, sql_text->c_str(), count, nullptr, values.data(), nullptr, nullptr, 0);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, "statement");
  return Rows(result);
}

}  // namespace paygate::postgres
