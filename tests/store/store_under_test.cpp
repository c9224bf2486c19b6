#include "tests/store/store_under_test.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "infra/store/postgres/connection.h"
#include "infra/store/postgres/postgres_store.h"
#include "infra/store/sqlite/connection.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "tests/integration/test_store.h"

namespace paygate::test {
namespace {

class SqliteUnderTest final : public StoreUnderTest {
 public:
  SqliteUnderTest(const Clock& clock, MetricsRegistry& metrics, const StoreOptions& options)
      : clock_(clock), metrics_(metrics), options_(options) {}

  bool open() {
    sqlite::SqliteStoreOptions options;
    options.path = dir_.path() + "/paygate.db";
    options.secrets = test_secret_box();
    options.limits = {options_.writer_queue_max, 4'096};
    options.verify_ledger_each_command = options_.verify_ledger_each_command;
    auto opened = sqlite::SqliteStore::open(options, metrics_, clock_);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened.ok()) return false;
    store_ = std::move(opened).value();
    return true;
  }

  Store& store() override { return *store_; }
  void execute(const std::string& sql) override {
    sqlite::Connection db(dir_.path() + "/paygate.db", sqlite::OpenMode::kReadWrite);
    db.exec(sql.c_str());
  }
  Balances balances() override { return store_balances(dir_.path() + "/paygate.db"); }
  Store& second_node() override { return *store_; }
  void reopen() override {
    store_.reset();
    ASSERT_TRUE(open());
  }

 private:
  TempDir dir_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  StoreOptions options_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

class PostgresUnderTest final : public StoreUnderTest {
 public:
  PostgresUnderTest(const Clock& clock, MetricsRegistry& metrics, const StoreOptions& options)
      : clock_(clock), metrics_(metrics), options_(options) {}

  bool open(bool fresh) {
    const char* url = std::getenv("PAYGATE_TEST_POSTGRES_URL");
    EXPECT_NE(url, nullptr) << "run under tests/support/with_postgres.sh (PAYGATE_TEST_POSTGRES_URL unset)";
    if (!url) return false;
    connect_.url = url;
    if (fresh) {
      // Every test starts from an empty schema; the store's open migrates it.
      postgres::Connection db(connect_);
      db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }
    postgres::PostgresStoreOptions options;
    options.connect = connect_;
    options.secrets = test_secret_box();
    options.writer_queue_max = options_.writer_queue_max;
    options.verify_ledger_each_command = options_.verify_ledger_each_command;
    options.roll_up_interval_ms = 50;  // roll-ups interleave with the tests' postings
    auto opened = postgres::PostgresStore::open(options, metrics_, clock_);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened.ok()) return false;
    store_ = std::move(opened).value();
    return true;
  }

  Store& store() override { return *store_; }
  void execute(const std::string& sql) override {
    postgres::Connection db(connect_);
    db.exec(sql.c_str());
  }
  Balances balances() override { return postgres_balances(connect_.url); }

  void reopen() override {
    second_.reset();
    store_.reset();
    ASSERT_TRUE(open(false));
  }
  Store& second_node() override {
    if (!second_) {
      auto store = std::move(store_);
      EXPECT_TRUE(open(false));
      second_ = std::move(store_);
      store_ = std::move(store);
    }
    return *second_;
  }

 private:
  const Clock& clock_;
  MetricsRegistry& metrics_;
  StoreOptions options_;
  postgres::ConnectOptions connect_;
  std::unique_ptr<postgres::PostgresStore> store_;
  std::unique_ptr<postgres::PostgresStore> second_;
};

}  // namespace

std::unique_ptr<StoreUnderTest> open_store_under_test(const std::string& kind, const Clock& clock,
                                                      MetricsRegistry& metrics, const StoreOptions& options) {
  if (kind == "sqlite") {
    auto store = std::make_unique<SqliteUnderTest>(clock, metrics, options);
    if (!store->open()) return nullptr;
    return store;
  }
  if (kind == "postgres") {
    auto store = std::make_unique<PostgresUnderTest>(clock, metrics, options);
    if (!store->open(true)) return nullptr;
    return store;
  }
  ADD_FAILURE() << "unknown store kind " << kind;
  return nullptr;
}

}  // namespace paygate::test
