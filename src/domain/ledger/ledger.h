// An in-memory double-entry ledger: applies transfer batches all-or-nothing, enforces account flags, and
// checks the invariants that say no money was created or lost. The store's ledger adapters will apply the
// same rules durably; this one is the reference the property tests run against.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/ledger/transfer.h"

namespace paygate::ledger {

struct Account {
  std::string code;
  Currency currency = Currency::kCny;
  std::int64_t debits_posted = 0;
  std::int64_t credits_posted = 0;
  bool debits_must_not_exceed_credits = false;  // e.g. a merchant payable never goes below zero
  bool credits_must_not_exceed_debits = false;  // e.g. a channel receivable never goes below zero
};

class Ledger {
 public:
  // Opens an account with explicit flags; applying to an unknown account opens it with the chart's rules.
  void open(std::string code, Currency currency, bool debits_must_not_exceed_credits);

  // Every transfer valid (amount > 0, one currency, two different accounts, flags kept after the whole
  // batch) or nothing is applied.
  Status apply(const TransferBatch& batch);

  const Account* account(const std::string& code) const;
  const std::map<std::string, Account>& accounts() const { return accounts_; }
  const std::vector<Transfer>& transfers() const { return transfers_; }

  // Σ debits = Σ credits, and every account's totals equal the sum of its transfers.
  Status verify() const;

 private:
  std::map<std::string, Account> accounts_;
  std::vector<Transfer> transfers_;
};

}  // namespace paygate::ledger
