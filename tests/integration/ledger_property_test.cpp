// The ledger's checks bite on a real SQLite file, through the CLI too: a tampered total is found by
// `ledger verify` and refused by the next money command. (The random-history property test runs on every
// store: tests/store/ledger_property_test.cpp.)
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>

#include "app/ledger_queries.h"
#include "crypto/random_ids.h"
#include "infra/store/sqlite/connection.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "tests/integration/harness.h"
#include "tests/integration/ledger_tools.h"

namespace paygate::test {
namespace {

class LedgerProperties : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite::SqliteStoreOptions options;
    options.path = path();
    options.secrets = test_secret_box();
    options.verify_ledger_each_command = true;
    auto opened = sqlite::SqliteStore::open(options, metrics_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    for (const std::string& id : {std::string("mch_a"), std::string("mch_b")}) {
      ASSERT_TRUE(
          await<Merchant>([&](auto done) {
            store_->create_merchant(Merchant{MerchantId{id}, id, "sk_x", true, clock_.now_unix_ms()}, done);
          }).ok());
    }
  }

  std::string path() const { return dir_.path() + "/paygate.db"; }

  Order create_order(int n, std::mt19937_64& random) {
    Order order;
    order.order_id = new_order_id(clock_.now_unix_ms());
    order.merchant_id = MerchantId{random() % 2 ? "mch_a" : "mch_b"};
    order.out_trade_no = "o-" + std::to_string(n);
    order.amount = Money{static_cast<std::int64_t>(1 + random() % 200'000), Currency::kCny};
    order.subject = "s";
    order.channel = Channel::kAlipay;
    order.method = "qr";
    order.channel_account_id = random() % 2 ? "acct-1" : "acct-2";
    order.version = 1;
    order.created_at_ms = order.updated_at_ms = clock_.now_unix_ms();
    order.request_fingerprint = "fp";
    auto created = await<CreatedOrder>([&](auto done) { store_->create_order(order, done); });
    EXPECT_TRUE(created.ok());
    return order;
  }

  Result<ChannelTradeOutcome> notify(const Order& order, const std::string& notify_id,
                                     ChannelTradeStatus status, std::int64_t amount,
                                     const ledger::FeeSchedule& fees) {
    ChannelTradeReport report{notify_id,           order.order_id, status, amount, "T" + order.order_id.value,
                              clock_.now_unix_ms()};
    return await<ChannelTradeOutcome>([&](auto done) {
      store_->apply_channel_event(ChannelTradeEvent{Channel::kAlipay, order.channel_account_id, report, "raw",
                                                    clock_.now_unix_ms(), fees},
                                  done);
    });
  }

  TempDir dir_;
  ManualClock clock_{1'790'000'000'000};
  MetricsRegistry metrics_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

TEST_F(LedgerProperties, TamperedBooksAreFoundAndRefused) {
  std::mt19937_64 random(7);
  const Order order = create_order(1, random);
  ASSERT_TRUE(notify(order, "n-1", ChannelTradeStatus::kPaid, order.amount.minor, {60, 38}).ok());
  ASSERT_TRUE(store_->verify_ledger()->sound());
  {
    // Someone edits a transfer behind the ledger's back.
    sqlite::Connection db(path(), sqlite::OpenMode::kReadWrite);
    db.exec("UPDATE ledger_transfers SET amount_minor = amount_minor + 1 WHERE code = 'merchant_fee'");
  }
  auto report = store_->verify_ledger();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->sound());
  EXPECT_NE(report->problems.front().find("differ from its transfers"), std::string::npos)
      << report->problems.front();
  // With the books broken, the next money command is refused before it commits, and writes nothing.
  const Order second = create_order(2, random);
  auto refused = notify(second, "n-2", ChannelTradeStatus::kPaid, second.amount.minor, {60, 38});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kLedgerInvariantViolated);
  EXPECT_EQ((*store_->find_order_by_id(second.order_id))->status, OrderStatus::kPending);
  {
    // Repaired, the same payment goes through: the refused attempt left nothing behind, not even in the
    // writer's in-memory balances.
    sqlite::Connection db(path(), sqlite::OpenMode::kReadWrite);
    db.exec("UPDATE ledger_transfers SET amount_minor = amount_minor - 1 WHERE code = 'merchant_fee'");
  }
  ASSERT_TRUE(notify(second, "n-2", ChannelTradeStatus::kPaid, second.amount.minor, {60, 38}).ok());
  ASSERT_TRUE(store_->verify_ledger()->sound()) << store_->verify_ledger()->problems.front();
  {
    sqlite::Connection db(path(), sqlite::OpenMode::kReadWrite);
    db.exec("UPDATE ledger_transfers SET amount_minor = amount_minor + 1 WHERE code = 'merchant_fee'");
  }
  store_->drain();
  const ProcessResult cli =
      run_paygate({"ledger", "verify", "--data-dir", dir_.path()}, {"PAYGATE_STORE_BACKEND=sqlite"});
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_NE(cli.output.find("differ from its transfers"), std::string::npos) << cli.output;
}

}  // namespace
}  // namespace paygate::test
