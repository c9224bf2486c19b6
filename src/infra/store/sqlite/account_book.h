// The writer's ledger accounts, held in memory in the style of TigerBeetle: postings check and move balances
// here, and each account's row is written once per group commit, however many postings touched it. A hot
// account (revenue:fees, a busy merchant) then costs one row update per commit instead of one per posting.
//
// All of it runs on the writer thread. The writer tells the book when a command is kept or undone (it failed:
// the book restores what the command changed), flushes it into the batch just before
// COMMIT, and drops it when a batch fails to commit (the book reloads from the table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "infra/store/sqlite/group_commit_writer.h"
#include "ports/store.h"

namespace paygate::sqlite {

// What a ledger batch is posted for: the order it belongs to (for per-order checks), the merchant, when.
struct PostingContext {
  std::string order_id;
  std::string merchant_id;
  std::int64_t at_ms = 0;
};

class AccountBook final : public BatchParticipant {
 public:
  // Posts a batch all or nothing: checks every transfer and every account's flags against the balances the
  // whole batch leaves, then records the transfers. LEDGER_INVARIANT_VIOLATED names the first problem.
  Result<std::int64_t> post(Connection& db, const ledger::TransferBatch& batch,
                            const PostingContext& context);

  // Writes every changed account's row (before COMMIT, and before checks that read the table).
  void flush(Connection& db);

  void command_kept() override;
  void command_undone() override;
  void before_commit(Connection& db) override;
  void batch_failed() override;

 private:
  struct Account {
    ledger::AccountRules rules;
    Currency currency = Currency::kCny;
    std::int64_t debits_posted = 0;
    std::int64_t credits_posted = 0;
    std::int64_t created_at_ms = 0;
    bool stored = false;  // the row exists in ledger_accounts
    bool dirty = false;   // the row lags behind this entry
  };

  // The cached entry, loaded from the table on first use; nullptr when the account does not exist yet.
  Account* find(Connection& db, const std::string& code);
  // Remembers the entry's state before the current command first changes it.
  void remember(const std::string& code, const Account* before);
  std::int64_t next_transfer_id(Connection& db);

  std::unordered_map<std::string, Account> accounts_;
  std::vector<std::string> dirty_;
  // The current command's undo log: each touched account's prior state (nullopt: it did not exist).
  std::vector<std::pair<std::string, std::optional<Account>>> undo_;
  // Rows flushed inside the current command (and whether each existed before): its undo rolls them back.
  std::vector<std::pair<std::string, bool>> flushed_in_command_;
  bool in_command_ = false;            // the current command has posted
  std::int64_t next_transfer_id_ = 0;  // 0: not loaded
  std::int64_t next_transfer_id_before_command_ = 0;
};

}  // namespace paygate::sqlite
