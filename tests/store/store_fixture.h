// What every store-level test shares: a fresh store of the kind under test, two merchants, and builders
// for orders, channel reports and refunds.
#pragma once

#include <gtest/gtest.h>

#include "crypto/random_ids.h"
#include "tests/store/store_under_test.h"

namespace paygate::test {

class StoreTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    sut_ = open_store_under_test(GetParam(), clock_, metrics_, options());
    ASSERT_TRUE(sut_);
    for (const MerchantId& id : {merchant_, other_merchant_}) {
      ASSERT_TRUE(await<Merchant>([&](auto done) {
                    store().create_merchant(Merchant{id, id.value, "sk_" + id.value, true, now()}, done);
                  }).ok());
    }
  }
  void TearDown() override { sut_.reset(); }

  virtual StoreOptions options() const { return StoreOptions{true}; }
  Store& store() { return sut_->store(); }
  std::int64_t now() const { return clock_.now_unix_ms(); }

  Order new_order(const std::string& out_trade_no, std::int64_t amount = 10'000,
                  const std::string& account = "acct-1") {
    Order order;
    order.order_id = new_order_id(now());
    order.merchant_id = merchant_;
    order.out_trade_no = out_trade_no;
    order.amount = Money{amount, Currency::kCny};
    order.subject = "s";
    order.channel = Channel::kAlipay;
    order.method = "qr";
    order.channel_account_id = account;
    order.notify_url = "https://merchant.example/notify";
    order.version = 1;
    order.created_at_ms = order.updated_at_ms = now();
    order.expires_at_ms = now() + 600'000;
    order.request_fingerprint = "fp-" + std::to_string(amount);
    return order;
  }

  Result<CreatedOrder> create(const Order& order) {
    return await<CreatedOrder>([&](auto done) { store().create_order(order, done); });
  }

  Order created(const std::string& out_trade_no, std::int64_t amount = 10'000) {
    auto result = create(new_order(out_trade_no, amount));
    EXPECT_TRUE(result.ok() && result->created);
    return result.ok() ? result->order : Order{};
  }

  Result<ChannelTradeOutcome> report(const Order& order, const std::string& notify_id,
                                     ChannelTradeStatus status,
                                     std::optional<std::int64_t> amount = std::nullopt,
                                     const std::string& account = "") {
    ChannelTradeReport report{
        notify_id, order.order_id, status, amount.value_or(order.amount.minor), "T" + order.order_id.value,
        now()};
    return await<ChannelTradeOutcome>([&](auto done) {
      store().apply_channel_event(
          ChannelTradeEvent{Channel::kAlipay, account.empty() ? order.channel_account_id : account, report,
                            "raw-" + notify_id, now(), fees_},
          done);
    });
  }

  Result<ChannelTradeOutcome> report_paid(const Order& order) {
    return report(order, "pay-" + order.out_trade_no, ChannelTradeStatus::kPaid);
  }

  Order paid(const std::string& out_trade_no, std::int64_t amount = 10'000) {
    Order order = created(out_trade_no, amount);
    auto outcome = report(order, "pay-" + out_trade_no, ChannelTradeStatus::kPaid);
    EXPECT_TRUE(outcome.ok() && outcome->changed);
    return outcome.ok() ? outcome->order : order;
  }

  Refund new_refund(const Order& order, const std::string& out_refund_no, std::int64_t amount) {
    Refund refund;
    refund.refund_id = new_refund_id(now());
    refund.merchant_id = order.merchant_id;
    refund.order_id = order.order_id;
    refund.out_refund_no = out_refund_no;
    refund.amount = Money{amount, order.amount.currency};
    refund.version = 1;
    refund.created_at_ms = refund.updated_at_ms = now();
    refund.next_channel_check_ms = now() + 1'000;
    refund.request_fingerprint = "rfp-" + std::to_string(amount);
    return refund;
  }

  Result<CreatedRefund> create_refund(const Refund& refund) {
    return await<CreatedRefund>([&](auto done) { store().create_refund(refund, done); });
  }

  Result<RefundOutcome> settle(const RefundId& id, RefundStatus status,
                               std::optional<ReceivedNotify> notify = std::nullopt) {
    return await<RefundOutcome>([&](auto done) {
      store().settle_refund(RefundSettlement{id, status, status == RefundStatus::kFailed ? "REFUSED" : "", "",
                                             now(), std::move(notify)},
                            done);
    });
  }

  Result<OrderEventOutcome> apply(const Order& order, OrderEvent event) {
    return await<OrderEventOutcome>([&](auto done) {
      store().apply_order_event(OrderEventCommand{order.merchant_id, order.order_id, event, now()}, done);
    });
  }

  std::vector<OutboxEvent> events_of(const Order& order) {
    auto page = store().list_events(
        EventQuery{order.merchant_id, order.order_id.value, std::nullopt, std::nullopt, 100});
    EXPECT_TRUE(page.ok());
    std::vector<OutboxEvent> oldest_first(page->events.rbegin(), page->events.rend());
    return oldest_first;
  }

  void expect_books_sound() {
    auto report = store().verify_ledger();
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->sound()) << report->problems.front();
  }

  ManualClock clock_{1'790'000'000'000};
  MetricsRegistry metrics_;
  std::unique_ptr<StoreUnderTest> sut_;
  MerchantId merchant_{"mch_conformance"};
  MerchantId other_merchant_{"mch_other"};
  ledger::FeeSchedule fees_{60, 38, ledger::Rounding::kHalfUp, true};
};

}  // namespace paygate::test
