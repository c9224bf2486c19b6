#include "tests/integration/test_store.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "infra/store/postgres/connection.h"
#include "infra/store/sqlite/connection.h"

namespace paygate::test {
namespace {

std::string server_url() {
  const char* url = std::getenv("PAYGATE_TEST_POSTGRES_URL");
  if (!url) throw std::runtime_error("PAYGATE_TEST_STORE=postgres needs tests/support/with_postgres.sh");
  return url;
}

// One database per data dir, named after it, created on first use (a restarted gateway finds its data).
std::string database_url(const std::string& data_dir) {
  static std::mutex mutex;
  static std::set<std::string> created;
  const std::string name = fmt::format("t{:016x}", std::hash<std::string>{}(data_dir));
  const std::string base = server_url();
  const std::string url = base.substr(0, base.rfind('/') + 1) + name;
  std::lock_guard lock(mutex);
  if (created.insert(name).second) {
    postgres::ConnectOptions options;
    options.url = base;
    postgres::Connection db(options);
    auto exists = db.query_text("SELECT COUNT(*) FROM pg_database WHERE datname = $1", {name});
    exists.next();
    if (exists.column_int64(0) == 0) db.exec(("CREATE DATABASE " + name).c_str());
  }
  return url;
}

postgres::Connection connect(const std::string& data_dir) {
  postgres::ConnectOptions options;
  options.url = database_url(data_dir);
  return postgres::Connection(options);
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

bool testing_postgres() {
  const char* store = std::getenv("PAYGATE_TEST_STORE");
  return store != nullptr && std::string_view(store) == "postgres";
}

std::vector<std::string> store_environment(const std::string& data_dir) {
  if (!testing_postgres() || data_dir.empty()) return {};
  return postgres_environment(data_dir);
}

int postgres_ctl(const std::string& action, const std::string& mode) {
  const char* bin = std::getenv("PAYGATE_TEST_POSTGRES_BIN");
  const char* data = std::getenv("PAYGATE_TEST_POSTGRES_DATA");
  const char* log = std::getenv("PAYGATE_TEST_POSTGRES_LOG");
  if (!bin || !data || !log) return -1;
  const std::string as_owner = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  const std::string command = as_owner + bin + "/pg_ctl -D " + data + " -l " + log + " -w -t 60 -m " + mode +
                              " " + action + " > /dev/null 2>&1";
  return std::system(command.c_str());
}

std::vector<std::string> postgres_environment(const std::string& data_dir) {
  std::vector<std::string> entries{"PAYGATE_STORE_BACKEND=postgres",
                                   "PAYGATE_STORE_URL=" + database_url(data_dir)};
  // PostgreSQL nodes need Redis (tests/support/with_redis.sh); without it they refuse to start, and say so.
  if (const char* redis = std::getenv("PAYGATE_TEST_REDIS_URL"); redis != nullptr)
    entries.push_back(std::string("PAYGATE_REDIS_URL=") + redis);
  return entries;
}

std::int64_t query_store_int(const std::string& data_dir, const std::string& sql) {
  if (testing_postgres()) {
    auto db = connect(data_dir);
    auto rows = db.query_text(sql);
    return rows.next() ? rows.column_int64(0) : 0;
  }
  sqlite::Connection db(data_dir + "/paygate.db", sqlite::OpenMode::kReadOnly);
  auto row = db.prepare(sql.c_str());
  return row.step() ? row.column_int64(0) : 0;
}

Balances postgres_balances(const std::string& url) {
  postgres::ConnectOptions options;
  options.url = url;
  postgres::Connection db(options);
  auto rows = db.query_text(
      "SELECT a.code, a.debits_posted + COALESCE(SUM(d.debits), 0) - a.credits_posted - "
      "COALESCE(SUM(d.credits), 0)"
      " FROM ledger_accounts a LEFT JOIN ledger_account_deltas d ON d.code = a.code"
      " GROUP BY a.code, a.debits_posted, a.credits_posted");
  Balances out;
  while (rows.next()) out[rows.column_text(0)] = rows.column_int64(1);
  return out;
}

Balances stored_balances(const std::string& data_dir) {
  if (!testing_postgres()) return store_balances(data_dir + "/paygate.db");
  return postgres_balances(database_url(data_dir));
}

std::string stored_merchant_secrets(const std::string& data_dir) {
  if (!testing_postgres())
    return read_file(data_dir + "/paygate.db") + read_file(data_dir + "/paygate.db-wal");
  auto db = connect(data_dir);
  auto rows = db.query_text("SELECT secret || ' ' || webhook_secret FROM merchants");
  std::string out;
  while (rows.next()) out += rows.column_text(0) + "\n";
  return out;
}

}  // namespace paygate::test
