// Proves the posting rules and the ledger: every batch balances, rounding is by a named rule, refunds in
// any number of parts return exactly the fees taken, and random histories never create or lose a fen.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/config.h"
#include "domain/ledger/ledger.h"
#include "domain/ledger/posting_rules.h"
#include "domain/ledger/rounding.h"

namespace paygate::ledger {
namespace {

Money cny(std::int64_t fen) { return Money{fen, Currency::kCny}; }

std::int64_t balance(const Ledger& ledger, const std::string& code) {
  const Account* account = ledger.account(code);
  return account == nullptr ? 0 : account->credits_posted - account->debits_posted;
}

TEST(Rounding, NamedRules) {
  EXPECT_EQ(fee_minor(1000, 60, Rounding::kHalfUp), 6);   // 0.6% of 10.00 = 0.06
  EXPECT_EQ(fee_minor(990, 60, Rounding::kHalfUp), 6);    // 5.94 → 6
  EXPECT_EQ(fee_minor(75, 60, Rounding::kHalfUp), 0);     // 0.45 → 0
  EXPECT_EQ(fee_minor(250, 20, Rounding::kHalfUp), 1);    // 0.5 → 1
  EXPECT_EQ(fee_minor(250, 20, Rounding::kHalfEven), 0);  // 0.5 → 0 (even)
  EXPECT_EQ(fee_minor(750, 20, Rounding::kHalfEven), 2);  // 1.5 → 2 (even)
  EXPECT_EQ(fee_minor(999, 60, Rounding::kDown), 5);
  EXPECT_EQ(divide(-5, 2, Rounding::kHalfUp), -3) << "half up rounds away from zero";
  EXPECT_EQ(fee_minor(kMoneyMinorMax, 10'000, Rounding::kHalfUp), kMoneyMinorMax) << "no overflow";
}

TEST(Rounding, TheConfigAcceptsExactlyTheNamedRules) {
  // core/config.h lists the names without depending on domain: the two lists must stay equal.
  for (std::string_view name : kFeeRoundingNames) {
    auto rule = ledger::parse_rounding(name);
    ASSERT_TRUE(rule.has_value()) << name;
    EXPECT_EQ(ledger::to_string(*rule), name);
  }
  for (auto rule : {ledger::Rounding::kHalfUp, ledger::Rounding::kHalfEven, ledger::Rounding::kDown}) {
    EXPECT_NE(std::find(kFeeRoundingNames.begin(), kFeeRoundingNames.end(), ledger::to_string(rule)),
              kFeeRoundingNames.end());
  }
}

TEST(PostingRules, APaymentBalancesAndSplitsFees) {
  const FeeSchedule fees{60, 38, Rounding::kHalfUp, true};
  auto batch = post_payment({"o1", "m1", "alipay-1", cny(10'000)}, fees);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 3u);
  Ledger ledger;
  ledger.open(merchant_payable("m1"), Currency::kCny, false);
  ASSERT_TRUE(ledger.apply(*batch).ok());
  EXPECT_TRUE(ledger.verify().ok());
  EXPECT_EQ(balance(ledger, merchant_payable("m1")), 10'000 - 60);
  EXPECT_EQ(balance(ledger, std::string(kRevenueFees)), 60);
  EXPECT_EQ(-balance(ledger, channel_receivable("alipay-1")), 10'000 - 38) << "what the channel will settle";
  EXPECT_EQ(-balance(ledger, std::string(kExpenseChannelFees)), 38);
}

TEST(PostingRules, PartialRefundsReturnExactlyTheFeesTaken) {
  const FeeSchedule fees{60, 38, Rounding::kHalfUp, true};
  const PaymentEvent payment{"o1", "m1", "alipay-1", cny(997)};
  Ledger ledger;
  ASSERT_TRUE(ledger.apply(*post_payment(payment, fees)).ok());
  // 997 refunded as 1 + 333 + 333 + 330: each part rounds, the sum must not drift.
  std::int64_t refunded = 0;
  for (std::int64_t part : {1, 333, 333, 330}) {
    auto batch = post_refund({"r" + std::to_string(part), payment, cny(refunded), cny(part)}, fees);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    ASSERT_TRUE(ledger.apply(*batch).ok());
    refunded += part;
  }
  EXPECT_TRUE(ledger.verify().ok());
  EXPECT_EQ(balance(ledger, merchant_payable("m1")), 0);
  EXPECT_EQ(balance(ledger, std::string(kRevenueFees)), 0);
  EXPECT_EQ(balance(ledger, channel_receivable("alipay-1")), 0);
  EXPECT_EQ(balance(ledger, std::string(kExpenseChannelFees)), 0);
  EXPECT_FALSE(post_refund({"r-more", payment, cny(997), cny(1)}, fees).ok())
      << "never refund more than paid";
}

TEST(PostingRules, KeepingFeesOnRefund) {
  const FeeSchedule fees{60, 0, Rounding::kHalfUp, false};
  const PaymentEvent payment{"o1", "m1", "a", cny(10'000)};
  Ledger ledger;
  ASSERT_TRUE(ledger.apply(*post_payment(payment, fees)).ok());
  ASSERT_TRUE(ledger.apply(*post_refund({"r1", payment, cny(0), cny(10'000)}, fees)).ok());
  EXPECT_EQ(balance(ledger, std::string(kRevenueFees)), 60);
  EXPECT_EQ(balance(ledger, merchant_payable("m1")), -60) << "the merchant bears the fee it was not refunded";
}

TEST(Ledger, BatchesApplyAllOrNothingAndFlagsHold) {
  Ledger ledger;
  ledger.open("liability:wallet:u1", Currency::kCny, true);
  const TransferBatch overdraw = {
      Transfer{"asset:cash", "liability:wallet:u1", cny(100), TransferCode::kPayment, "t1"},
      Transfer{"liability:wallet:u1", "revenue:fees", cny(150), TransferCode::kMerchantFee, "t1"},
  };
  EXPECT_FALSE(ledger.apply(overdraw).ok());
  EXPECT_EQ(ledger.transfers().size(), 0u) << "the valid first transfer was not applied either";
  EXPECT_EQ(balance(ledger, "liability:wallet:u1"), 0);
  EXPECT_FALSE(ledger.apply({Transfer{"a", "a", cny(1), TransferCode::kPayment, "x"}}).ok());
  EXPECT_FALSE(ledger.apply({Transfer{"a", "b", cny(0), TransferCode::kPayment, "x"}}).ok());
}

TEST(Ledger, RandomHistoriesNeverCreateOrLoseMoney) {
  std::mt19937_64 random(20261122);
  for (int round = 0; round < 200; ++round) {
    const FeeSchedule fees{static_cast<std::int32_t>(random() % 200),
                           static_cast<std::int32_t>(random() % 100),
                           random() % 2 ? Rounding::kHalfUp : Rounding::kHalfEven, random() % 2 == 0};
    Ledger ledger;
    std::int64_t paid = 0, refunded = 0, merchant_fees = 0;
    std::vector<std::pair<PaymentEvent, std::int64_t>> payments;  // with amount refunded so far
    std::map<std::string, std::vector<std::string>> refund_ids_by_order;
    for (int step = 0; step < 60; ++step) {
      if (payments.empty() || random() % 3 != 0) {
        const PaymentEvent payment{"o" + std::to_string(step), "m" + std::to_string(random() % 3),
                                   "acct" + std::to_string(random() % 2), cny(1 + random() % 100'000)};
        auto batch = post_payment(payment, fees);
        ASSERT_TRUE(batch.ok());
        ASSERT_TRUE(ledger.apply(*batch).ok());
        paid += payment.amount.minor;
        merchant_fees += fee_minor(payment.amount.minor, fees.merchant_rate_bps, fees.rounding);
        payments.emplace_back(payment, 0);
      } else {
        auto& [payment, already] = payments[random() % payments.size()];
        const std::int64_t left = payment.amount.minor - already;
        if (left == 0) continue;
        const std::int64_t part = 1 + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(left));
        auto batch = post_refund({"r" + std::to_string(step), payment, cny(already), cny(part)}, fees);
        ASSERT_TRUE(batch.ok());
        ASSERT_TRUE(ledger.apply(*batch).ok());
        already += part;
        refunded += part;
        refund_ids_by_order[payment.order_id].push_back("r" + std::to_string(step));
      }
      for (const Transfer& transfer : ledger.transfers()) ASSERT_GT(transfer.amount.minor, 0);
    }
    ASSERT_TRUE(ledger.verify().ok());
    std::int64_t payables = 0, receivables = 0;
    for (const auto& [code, account] : ledger.accounts()) {
      if (code.rfind("liability:merchant_payable:", 0) == 0)
        payables += account.credits_posted - account.debits_posted;
      if (code.rfind("asset:channel_receivable:", 0) == 0)
        receivables += account.debits_posted - account.credits_posted;
    }
    const std::int64_t fees_kept = balance(ledger, std::string(kRevenueFees));
    const std::int64_t channel_costs = -balance(ledger, std::string(kExpenseChannelFees));
    // What merchants are owed plus our fee income is exactly what payers paid net of refunds...
    EXPECT_EQ(payables + fees_kept, paid - refunded);
    // ...and the channels owe us that, less their costs.
    EXPECT_EQ(receivables, paid - refunded - channel_costs);
    if (!fees.refund_fees) {
      EXPECT_EQ(fees_kept, merchant_fees);
    }
    // Fully refunded orders return every fen of their fees when fees are refunded, however many parts.
    for (const auto& [payment, already] : payments) {
      if (!fees.refund_fees || already != payment.amount.minor) continue;
      const auto& refund_ids = refund_ids_by_order[payment.order_id];
      std::int64_t fee_net = 0;
      for (const Transfer& transfer : ledger.transfers()) {
        if (transfer.code == TransferCode::kMerchantFee && transfer.reference == payment.order_id) {
          fee_net += transfer.amount.minor;
        }
        if (transfer.code == TransferCode::kFeeRefund &&
            std::find(refund_ids.begin(), refund_ids.end(), transfer.reference) != refund_ids.end()) {
          fee_net -= transfer.amount.minor;
        }
      }
      EXPECT_EQ(fee_net, 0) << payment.order_id;
    }
  }
}

}  // namespace
}  // namespace paygate::ledger

namespace paygate::ledger {
namespace {

TEST(Chart, AccountTypesAndFlagsComeFromTheCode) {
  EXPECT_TRUE(account_rules(channel_receivable("a"))->credits_must_not_exceed_debits);
  EXPECT_EQ(account_rules(channel_receivable("a"))->type, AccountType::kAsset);
  EXPECT_FALSE(account_rules(merchant_payable("m"))->debits_must_not_exceed_credits)
      << "a merchant that is refunded a kept fee may owe it";
  EXPECT_TRUE(account_rules("liability:wallet:u1")->debits_must_not_exceed_credits);
  EXPECT_EQ(account_rules("revenue:fees")->type, AccountType::kRevenue);
  EXPECT_EQ(account_rules("expense:channel_fees")->type, AccountType::kExpense);
  EXPECT_FALSE(account_rules("equity:capital").ok());
  EXPECT_FALSE(account_rules("").ok());
}

TEST(PostingRules, LatePaymentsPostLikePaymentsUnderTheirOwnCode) {
  const FeeSchedule fees{60, 38, Rounding::kHalfUp, true};
  const PaymentEvent payment{"o1", "m1", "a", Money{10'000, Currency::kCny}};
  auto late = post_late_payment(payment, fees);
  auto normal = post_payment(payment, fees);
  ASSERT_TRUE(late.ok() && normal.ok());
  ASSERT_EQ(late->size(), normal->size());
  EXPECT_EQ((*late)[0].code, TransferCode::kLatePayment);
  EXPECT_EQ((*late)[0].amount.minor, 10'000);
  EXPECT_EQ((*late)[1].code, TransferCode::kMerchantFee);
}

TEST(PostingRules, AReversalUndoesABatchExactly) {
  const FeeSchedule fees{60, 38, Rounding::kHalfUp, true};
  const PaymentEvent payment{"o1", "m1", "a", Money{12'345, Currency::kCny}};
  Ledger ledger;
  auto batch = post_payment(payment, fees);
  ASSERT_TRUE(ledger.apply(*batch).ok());
  ASSERT_TRUE(ledger.apply(post_reversal(*batch, "rev-1")).ok());
  EXPECT_TRUE(ledger.verify().ok());
  for (const auto& [code, account] : ledger.accounts()) {
    EXPECT_EQ(account.debits_posted, account.credits_posted) << code << " is back to zero";
  }
  EXPECT_EQ(ledger.transfers().back().code, TransferCode::kReversal);
}

TEST(Rounding, NamesRoundTrip) {
  for (Rounding rule : {Rounding::kHalfUp, Rounding::kHalfEven, Rounding::kDown}) {
    EXPECT_EQ(parse_rounding(to_string(rule)), rule);
  }
  EXPECT_FALSE(parse_rounding("up").has_value());
}

}  // namespace
}  // namespace paygate::ledger
