// The double-entry ledger as stored: balances, transfers, checks and export (the Store port, DESIGN §5).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "domain/ledger/transfer.h"
#include "ports/completion.h"

namespace paygate {

struct MerchantBalance {
  Currency currency = Currency::kCny;
  std::int64_t payable_minor = 0;          // what we owe the merchant, by the ledger
  std::int64_t refunds_pending_minor = 0;  // reserved by refunds the channel has not finished
};

// One transfer as stored, with what the store adds: its id, its batch and when it was written.
struct StoredTransfer {
  std::int64_t transfer_id = 0;
  std::int64_t batch_id = 0;
  ledger::Transfer transfer;
  std::string order_id;
  std::int64_t created_at_ms = 0;
};

struct LedgerAccountRow {
  std::string code;
  ledger::AccountType type = ledger::AccountType::kAsset;
  Currency currency = Currency::kCny;
  std::int64_t debits_posted = 0;
  std::int64_t credits_posted = 0;
};

// What `paygate ledger verify` checked and every problem it found (empty = the books are sound).
struct LedgerReport {
  std::int64_t accounts = 0;
  std::int64_t transfers = 0;
  std::int64_t orders_checked = 0;
  std::int64_t debits_total_minor = 0;
  std::int64_t credits_total_minor = 0;
  std::vector<std::string> problems;
  bool sound() const { return problems.empty(); }
};

// A batch of transfers outside any order (benchmarks, and later wallets): posted all or nothing, with the
// chart's balance rules enforced.
struct LedgerPostingCommand {
  ledger::TransferBatch transfers;
  std::int64_t at_ms = 0;
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  virtual Result<MerchantBalance> merchant_balance(const MerchantId& merchant_id) = 0;
  // The merchant's side of an order's (or one refund's) transfers: those that touch its payable account.
  virtual Result<std::vector<StoredTransfer>> list_transfers(const MerchantId& merchant_id,
                                                             const OrderId& order_id,
                                                             const std::optional<RefundId>& refund_id) = 0;
  virtual void post_transfers(LedgerPostingCommand command, Completion<std::int64_t> done) = 0;
  // Checks every invariant of DESIGN §5 over the whole store.
  virtual Result<LedgerReport> verify_ledger() = 0;
  // Every account, and every transfer in commit order (for the journal export).
  virtual Result<std::vector<LedgerAccountRow>> list_ledger_accounts() = 0;
  virtual Status for_each_transfer(const std::function<void(const StoredTransfer&)>& visit) = 0;
};

}  // namespace paygate
