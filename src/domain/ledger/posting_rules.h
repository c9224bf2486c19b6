// Posting rules: the only way money moves. Each is a pure function from a money event to a transfer batch.
//
// Payment of A on a channel account, merchant fee rate m and channel cost rate c (basis points):
//   Dr channel_receivable  Cr merchant_payable  A          the channel owes us what the payer paid
//   Dr merchant_payable    Cr revenue:fees      fee(A, m)  our fee, kept from what we owe the merchant
//   Dr expense:channel_fees Cr channel_receivable fee(A, c) the channel keeps its cost from what it settles
// Refund of R after r already refunded (of A): the payment reversed for R, the channel's fee reversed by
// fee(r + R) − fee(r) (channels refund their fee in proportion), and our fee likewise when refund_fees is
// set: cumulative proportional rounding, so that refunding everything
// in any number of parts returns exactly the fees taken — no fen is created or lost by rounding.
#pragma once

#include "core/result.h"
#include "domain/ledger/fee_schedule.h"
#include "domain/ledger/transfer.h"

namespace paygate::ledger {

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
// A payment the channel reports for an order that was already closed: the money arrived and is owed to the
// merchant like any payment, under its own code so that it stands out in the books (DESIGN §4).
Result<TransferBatch> post_late_payment(const PaymentEvent& payment, const FeeSchedule& fees);
// Undoes a batch exactly: every transfer mirrored (debit and credit swapped) under the reversal code.
TransferBatch post_reversal(const TransferBatch& batch, const std::string& reference);

}  // namespace paygate::ledger
