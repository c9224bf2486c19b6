// Posting rules: the only way money moves. Each is a pure function from a money event to a transfer batch.
//
// Payment of A on a channel account, merchant fee rate m and channel cost rate c (basis points):
//   Dr channel_receivable  Cr merchant_payable  A          the channel owes us what the payer paid
//   Dr merchant_payable    Cr revenue:fees      fee(A, m)  our fee, kept from what we owe the merchant
//   Dr expense:channel_fees Cr channel_receivable fee(A, c) the channel keeps its cost from what it settles
// Refund of R after r already refunded (of A): the payment reversed for R, and, when fees are refunded,
// each fee reversed by fee(r + R) − fee(r): cumulative proportional rounding, so that refunding everything
// in any number of parts returns exactly the fees taken — no fen is created or lost by rounding.
#pragma once

#include "core/result.h"
#include "domain/ledger/rounding.h"
#include "domain/ledger/transfer.h"

namespace paygate::ledger {

struct FeeSchedule {
  std::int32_t merchant_rate_bps = 0;  // what we charge the merchant
  std::int32_t channel_rate_bps = 0;   // what the channel charges us
  Rounding rounding = Rounding::kHalfUp;
  bool refund_fees = true;  // reverse fees proportionally on refunds (Alipay does for its own)
};

struct PaymentEvent {
  std::string order_id;
  std::string merchant_id;
  std::string channel_account_id;
  Money amount;
};

struct RefundEvent {
  std::string refund_id;
  PaymentEvent payment;
  Money already_refunded;  // before this refund
  Money amount;            // this refund
};

Result<TransferBatch> post_payment(const PaymentEvent& payment, const FeeSchedule& fees);
// Refuses a refund that would take the refunded total past the paid amount.
Result<TransferBatch> post_refund(const RefundEvent& refund, const FeeSchedule& fees);

}  // namespace paygate::ledger
