#include "domain/ledger/ledger.h"

#include "fmt/format.h"

namespace paygate::ledger {

void Ledger::open(std::string code, Currency currency, bool debits_must_not_exceed_credits) {
  Account account{code, currency, 0, 0, debits_must_not_exceed_credits, false};
  accounts_.insert_or_assign(std::move(code), std::move(account));
}

const Account* Ledger::account(const std::string& code) const {
  auto it = accounts_.find(code);
  return it == accounts_.end() ? nullptr : &it->second;
}

Status Ledger::apply(const TransferBatch& batch) {
  // Work on copies of the touched accounts; commit them only when the whole batch is valid.
  std::map<std::string, Account> touched;
  auto get = [&](const std::string& code, Currency currency) -> Result<Account*> {
    auto it = touched.find(code);
    if (it != touched.end()) return &it->second;
    auto existing = accounts_.find(code);
    if (existing != accounts_.end()) return &touched.emplace(code, existing->second).first->second;
    auto rules = account_rules(code);
    if (!rules.ok()) return std::move(rules).error();
    Account account{
        code, currency, 0, 0, rules->debits_must_not_exceed_credits, rules->credits_must_not_exceed_debits};
    return &touched.emplace(code, std::move(account)).first->second;
  };
  for (const Transfer& transfer : batch) {
    if (transfer.amount.minor <= 0 || transfer.amount.minor > kMoneyMinorMax) {
      return make_error(ErrorCode::kInvalidParameter, "transfer amount must be positive");
    }
    if (transfer.debit_account == transfer.credit_account) {
      return make_error(ErrorCode::kInvalidParameter, "a transfer needs two different accounts");
    }
    auto debit_account = get(transfer.debit_account, transfer.amount.currency);
    if (!debit_account.ok()) return std::move(debit_account).error();
    auto credit_account = get(transfer.credit_account, transfer.amount.currency);
    if (!credit_account.ok()) return std::move(credit_account).error();
    Account& debit = **debit_account;
    Account& credit = **credit_account;
    if (debit.currency != transfer.amount.currency || credit.currency != transfer.amount.currency) {
      return make_error(ErrorCode::kInvalidParameter, "transfer currency differs from an account's");
    }
    debit.debits_posted += transfer.amount.minor;
    credit.credits_posted += transfer.amount.minor;
  }
  for (const auto& [code, account] : touched) {
    if (account.debits_must_not_exceed_credits && account.debits_posted > account.credits_posted) {
      return make_error(ErrorCode::kInvalidParameter, fmt::format("{} would go below zero", code));
    }
    if (account.credits_must_not_exceed_debits && account.credits_posted > account.debits_posted) {
      return make_error(ErrorCode::kInvalidParameter, fmt::format("{} would go below zero", code));
    }
  }
  for (auto& [code, account] : touched) accounts_.insert_or_assign(code, std::move(account));
  transfers_.insert(transfers_.end(), batch.begin(), batch.end());
  return {};
}

Status Ledger::verify() const {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> from_transfers;
  for (const Transfer& transfer : transfers_) {
    from_transfers[transfer.debit_account].first += transfer.amount.minor;
    from_transfers[transfer.credit_account].second += transfer.amount.minor;
  }
  std::int64_t debits = 0;
  std::int64_t credits = 0;
  for (const auto& [code, account] : accounts_) {
    const auto sums = from_transfers[code];
    if (sums.first != account.debits_posted || sums.second != account.credits_posted) {
      return make_error(ErrorCode::kInternal, fmt::format("{}: totals differ from its transfers", code));
    }
    debits += account.debits_posted;
    credits += account.credits_posted;
  }
  if (debits != credits) return make_error(ErrorCode::kInternal, "debits and credits differ");
  return {};
}

}  // namespace paygate::ledger
