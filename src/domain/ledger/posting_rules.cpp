#include "domain/ledger/posting_rules.h"

#include "fmt/format.h"

namespace paygate::ledger {
namespace {

void add(TransferBatch& batch, std::string debit, std::string credit, Money amount, TransferCode code,
         const std::string& reference) {
  // Zero-amount transfers are not written: a fee that rounds to nothing moves nothing.
  if (amount.minor == 0) return;
  batch.push_back(Transfer{std::move(debit), std::move(credit), amount, code, reference});
}

Status check_rates(const FeeSchedule& fees) {
  if (fees.merchant_rate_bps < 0 || fees.merchant_rate_bps > 10'000 || fees.channel_rate_bps < 0 ||
      fees.channel_rate_bps > 10'000) {
    return make_error(ErrorCode::kInvalidParameter, "fee rates must be 0..10000 basis points");
  }
  return {};
}

}  // namespace

Result<TransferBatch> post_payment(const PaymentEvent& payment, const FeeSchedule& fees) {
  if (auto status = check_rates(fees); !status) return std::move(status).error();
  if (payment.amount.minor <= 0)
    return make_error(ErrorCode::kInvalidParameter, "payment amount must be positive");
  const Currency currency = payment.amount.currency;
  const std::string receivable = channel_receivable(payment.channel_account_id);
  const std::string payable = merchant_payable(payment.merchant_id);
  TransferBatch batch;
  add(batch, receivable, payable, payment.amount, TransferCode::kPayment, payment.order_id);
  add(batch, payable, std::string(kRevenueFees),
      Money{fee_minor(payment.amount.minor, fees.merchant_rate_bps, fees.rounding), currency},
      TransferCode::kMerchantFee, payment.order_id);
  add(batch, std::string(kExpenseChannelFees), receivable,
      Money{fee_minor(payment.amount.minor, fees.channel_rate_bps, fees.rounding), currency},
      TransferCode::kChannelFee, payment.order_id);
  return batch;
}

Result<TransferBatch> post_late_payment(const PaymentEvent& payment, const FeeSchedule& fees) {
  auto batch = post_payment(payment, fees);
  if (!batch.ok()) return batch;
  for (Transfer& transfer : *batch) {
    if (transfer.code == TransferCode::kPayment) transfer.code = TransferCode::kLatePayment;
  }
  return batch;
}

TransferBatch post_reversal(const TransferBatch& batch, const std::string& reference) {
  TransferBatch reversed;
  reversed.reserve(batch.size());
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    reversed.push_back(
        Transfer{it->credit_account, it->debit_account, it->amount, TransferCode::kReversal, reference});
  }
  return reversed;
}

Result<TransferBatch> post_refund(const RefundEvent& refund, const FeeSchedule& fees) {
  if (auto status = check_rates(fees); !status) return std::move(status).error();
  const PaymentEvent& payment = refund.payment;
  const Currency currency = payment.amount.currency;
  if (refund.amount.currency != currency || refund.already_refunded.currency != currency) {
    return make_error(ErrorCode::kInvalidParameter, "refund currency differs from the payment's");
  }
  if (refund.amount.minor <= 0)
    return make_error(ErrorCode::kInvalidParameter, "refund amount must be positive");
  if (refund.already_refunded.minor < 0 ||
      refund.already_refunded.minor + refund.amount.minor > payment.amount.minor) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("refunds would total {} of a {} payment",
                                  refund.already_refunded.minor + refund.amount.minor, payment.amount.minor));
  }
  const std::string receivable = channel_receivable(payment.channel_account_id);
  const std::string payable = merchant_payable(payment.merchant_id);
  TransferBatch batch;
  add(batch, payable, receivable, refund.amount, TransferCode::kRefund, refund.refund_id);
  // fee of the refunded share, cumulatively: fee(total·(r+R)/A) − fee(total·r/A).
  auto share = [&](std::int32_t rate_bps, std::int64_t refunded_minor) {
    const std::int64_t total_fee = fee_minor(payment.amount.minor, rate_bps, fees.rounding);
    return divide(static_cast<Int128>(total_fee) * refunded_minor, payment.amount.minor, fees.rounding);
  };
  const std::int64_t before = refund.already_refunded.minor;
  const std::int64_t after = before + refund.amount.minor;
  if (fees.refund_fees) {
    add(batch, std::string(kRevenueFees), payable,
        Money{share(fees.merchant_rate_bps, after) - share(fees.merchant_rate_bps, before), currency},
        TransferCode::kFeeRefund, refund.refund_id);
  }
  // The channels (Alipay, WeChat Pay) give their fee back in proportion, whatever our policy.
  add(batch, receivable, std::string(kExpenseChannelFees),
      Money{share(fees.channel_rate_bps, after) - share(fees.channel_rate_bps, before), currency},
      TransferCode::kChannelFeeRefund, refund.refund_id);
  return batch;
}

}  // namespace paygate::ledger
