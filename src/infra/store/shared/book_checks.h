// What `ledger verify` concludes from the numbers a store reads: one statement of the checks (DESIGN §5)
// for every adapter, which only has to gather the sums in its own SQL.
#pragma once

#include <cstdint>
#include <string>

#include "domain/order_status.h"
#include "ports/ledger_store.h"

namespace paygate::store_rows {

// One account: its stored totals, its flags, and the sums of the transfers that name it.
struct AccountTotals {
  std::string code;
  std::int64_t debits_posted = 0;
  std::int64_t credits_posted = 0;
  bool debits_must_not_exceed_credits = false;
  bool credits_must_not_exceed_debits = false;
  std::int64_t transfer_debits = 0;
  std::int64_t transfer_credits = 0;
};

// Counts the account and checks its totals against its transfers and its flags.
void check_account(LedgerReport& report, const AccountTotals& account);
// After every account: Σ debits = Σ credits, and every transfer names existing accounts of its currency.
void check_ledger_totals(LedgerReport& report, std::int64_t transfers, std::int64_t transfers_missing_account,
                         std::int64_t transfers_in_other_currency);

// One order: its state, and what the ledger and its refunds say about it.
struct OrderBooks {
  std::string order_id;
  OrderStatus status = OrderStatus::kPending;
  std::int64_t amount_minor = 0;
  std::int64_t refunded_minor = 0;
  std::int64_t refunding_minor = 0;
  std::int64_t ledger_paid_minor = 0;      // payment and late_payment transfers to the merchant
  std::int64_t ledger_refunded_minor = 0;  // refund transfers from the merchant
  std::int64_t refunds_succeeded_minor = 0;
  std::int64_t refunds_pending_minor = 0;
};

// Paid orders carry exactly one payment of their amount to their merchant, refunds move exactly the
// succeeded refunds, the reservation equals the pending refunds, and the status agrees with the amounts.
void check_order(LedgerReport& report, const OrderBooks& order);

// The verdict for a single command's check: the first problem as LEDGER_INVARIANT_VIOLATED.
Status books_verdict(const LedgerReport& report);

}  // namespace paygate::store_rows
