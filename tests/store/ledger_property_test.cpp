// Property test of the durable ledger on every store: random interleavings of create / pay / duplicate
// notify / wrong-amount notify / refund / settle / fail / close over many orders never break an invariant
// (checked inside every command and by a full verify after every step), the order amounts agree with a
// model kept beside the store, and the exported journal balances under the `ledger` tool.
#include <fstream>
#include <map>
#include <random>

#include "app/ledger_queries.h"
#include "tests/store/store_fixture.h"

namespace paygate::test {
namespace {

class LedgerProperties : public StoreTest {
 protected:
  Order create_random_order(int n, std::mt19937_64& random) {
    Order order = new_order("o-" + std::to_string(n), static_cast<std::int64_t>(1 + random() % 200'000),
                            random() % 2 ? "acct-1" : "acct-2");
    order.merchant_id = random() % 2 ? merchant_ : other_merchant_;
    EXPECT_TRUE(create(order).ok());
    return order;
  }

  Result<ChannelTradeOutcome> notify(const Order& order, const std::string& notify_id,
                                     ChannelTradeStatus status, std::int64_t amount,
                                     const ledger::FeeSchedule& fees) {
    fees_ = fees;
    return report(order, notify_id, status, amount);
  }

  TempDir journal_dir_;
};

TEST_P(LedgerProperties, RandomHistoriesKeepEveryInvariant) {
  std::mt19937_64 random(20261122);
  const ledger::FeeSchedule fees_a{60, 38, ledger::Rounding::kHalfUp, true};
  const ledger::FeeSchedule fees_b{125, 60, ledger::Rounding::kHalfEven, false};
  std::vector<Order> orders;
  std::vector<std::string> notify_ids;
  std::vector<Refund> refunds;                         // every refund created, as created
  std::map<std::string, std::int64_t> refunded_model;  // order_id -> succeeded refunds, kept beside the store
  int refused_wrong_amount = 0, settled = 0, duplicates = 0;
  for (int step = 0; step < 1500; ++step) {
    clock_.advance_ms(7);
    const int action = static_cast<int>(random() % 10);
    if (orders.empty() || action == 0) {
      orders.push_back(create_random_order(step, random));
      continue;
    }
    const Order& order = orders[random() % orders.size()];
    const auto& fees = random() % 2 ? fees_a : fees_b;
    if (action <= 2) {  // a payment notify, new or a duplicate delivery
      const bool repeat = !notify_ids.empty() && random() % 3 == 0;
      const std::string id = repeat ? notify_ids[random() % notify_ids.size()] : "n-" + std::to_string(step);
      if (!repeat) notify_ids.push_back(id);
      auto outcome = notify(order, id, ChannelTradeStatus::kPaid, order.amount.minor, fees);
      if (outcome.ok() && outcome->duplicate_notify) ++duplicates;
    } else if (action == 3) {  // a validly signed notify over the wrong amount is refused
      auto outcome = notify(order, "bad-" + std::to_string(step), ChannelTradeStatus::kPaid,
                            order.amount.minor + 1, fees);
      ASSERT_FALSE(outcome.ok());
      ++refused_wrong_amount;
    } else if (action == 4) {  // close, fail, or a channel's TRADE_CLOSED
      const int kind = static_cast<int>(random() % 3);
      if (kind == 2) {
        (void)notify(order, "c-" + std::to_string(step), ChannelTradeStatus::kClosed, order.amount.minor,
                     fees);
      } else {
        (void)await<OrderEventOutcome>([&](auto done) {
          store().apply_order_event(
              OrderEventCommand{order.merchant_id, order.order_id,
                                kind == 0 ? OrderEvent::kClose : OrderEvent::kFail, clock_.now_unix_ms()},
              done);
        });
      }
    } else if (action <= 7) {  // a refund request, sometimes too large, sometimes a repeated out_refund_no
      Refund refund;
      refund.refund_id = new_refund_id(clock_.now_unix_ms());
      refund.merchant_id = order.merchant_id;
      refund.order_id = order.order_id;
      refund.out_refund_no = !refunds.empty() && random() % 5 == 0
                                 ? refunds[random() % refunds.size()].out_refund_no
                                 : "r-" + std::to_string(step);
      refund.amount = Money{static_cast<std::int64_t>(1 + random() % order.amount.minor), Currency::kCny};
      refund.created_at_ms = refund.updated_at_ms = clock_.now_unix_ms();
      refund.request_fingerprint = "fp-" + std::to_string(refund.amount.minor);
      auto created = await<CreatedRefund>([&](auto done) { store().create_refund(refund, done); });
      if (created.ok() && created->created) refunds.push_back(created->refund);
    } else if (!refunds.empty()) {  // the channel's word on a refund (sometimes repeated or contradicting)
      const Refund& refund = refunds[random() % refunds.size()];
      const RefundStatus status = random() % 4 == 0 ? RefundStatus::kFailed : RefundStatus::kSucceeded;
      auto outcome = await<RefundOutcome>([&](auto done) {
        store().settle_refund(RefundSettlement{refund.refund_id, status, "", "", clock_.now_unix_ms()}, done);
      });
      if (outcome.ok() && outcome->changed) {
        ++settled;
        if (status == RefundStatus::kSucceeded) refunded_model[refund.order_id.value] += refund.amount.minor;
      }
    }
    auto report = store().verify_ledger();
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->sound()) << "step " << step << ": " << report->problems.front();
  }
  EXPECT_GT(duplicates, 10);
  EXPECT_GT(refused_wrong_amount, 10);
  EXPECT_GT(settled, 40);
  for (const Order& order : orders) {
    auto stored = store().find_order_by_id(order.order_id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ((*stored)->refunded_minor, refunded_model[order.order_id.value]) << order.order_id.value;
  }
  // The journal balances under the standard tool, account by account.
  const std::string journal = journal_dir_.path() + "/journal.ledger";
  {
    std::ofstream out(journal);
    ASSERT_TRUE(write_ledger_journal(store(), out).ok());
  }
  store().drain();
  const Balances ours = sut_->balances();
  Balances tool = ledger_tool_balances(journal);
  EXPECT_EQ(tool, ours);
  std::int64_t total = 0;
  for (const auto& [account, minor] : tool) total += minor;
  EXPECT_EQ(total, 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerProperties, ::testing::ValuesIn(kStoreKinds));

}  // namespace
}  // namespace paygate::test
