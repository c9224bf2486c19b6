// Ledger postings on PostgreSQL without a hot row (DESIGN §5, and the schema's comment on
// ledger_account_deltas): transfers and per-account deltas are appended; only a posting that moves a flagged
// account towards its limit locks that account's row and reads its balance first. A roll-up folds the
// deltas into the account rows in the background.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/ledger/transfer.h"
#include "infra/store/postgres/connection.h"

namespace paygate::postgres {

// What never changes about an account once it exists (its currency and flags), shared by every connection
// of the process. Only committed accounts are cached: what a transaction learns waits (per thread) until
// its COMMIT returned — an account an earlier command of the same batch created would otherwise be cached
// and then vanish with a batch that failed to commit.
class AccountCache {
 public:
  struct Entry {
    Currency currency = Currency::kCny;
    bool debits_must_not_exceed_credits = false;
    bool credits_must_not_exceed_debits = false;
  };
  std::optional<Entry> find(const std::string& code) const;
  // Staged for the calling thread's transaction.
  void remember(const std::string& code, const Entry& entry);
  // The calling thread's transaction committed (its staged entries are now true) or did not.
  void transaction_committed();
  void transaction_failed();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

struct PostingContext {
  std::string order_id;
  std::string merchant_id;
  std::int64_t at_ms = 0;
};

// Posts a batch all or nothing inside the caller's transaction; LEDGER_INVARIANT_VIOLATED names the first
// problem. Returns the batch id (its first transfer's id).
Result<std::int64_t> post_batch(Connection& db, AccountCache& accounts, const ledger::TransferBatch& batch,
                                const PostingContext& context);

// Folds the deltas of up to `limit` accounts into their rows, in its own transaction; returns how many deltas.
// One node at a time (an advisory lock); another node's roll-up running now makes this one return 0.
std::int64_t roll_up_deltas(Connection& db, std::int64_t limit);

}  // namespace paygate::postgres
