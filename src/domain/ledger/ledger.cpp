#include "domain/ledger/ledger.h"

#include "domain/ledger/batch_rules.h"
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
  auto refused = [](std::string problem) {
    return make_error(ErrorCode::kInvalidParameter, std::move(problem));
  };
  for (const Transfer& transfer : batch) {
    if (auto problem = transfer_problem(transfer)) return refused(std::move(*problem));
    auto debit_account = get(transfer.debit_account, transfer.amount.currency);
    if (!debit_account.ok()) return std::move(debit_account).error();
    auto credit_account = get(transfer.credit_account, transfer.amount.currency);
    if (!credit_account.ok()) return std::move(credit_account).error();
    Account& debit = **debit_account;
    Account& credit = **credit_account;
    for (const Account* account : {&debit, &credit}) {
      if (auto problem = currency_problem(account->code, account->currency, transfer.amount.currency))
        return refused(std::move(*problem));
    }
    debit.debits_posted += transfer.amount.minor;
    credit.credits_posted += transfer.amount.minor;
  }
  for (const auto& [code, account] : touched) {
    if (auto problem = balance_problem(code, account.debits_must_not_exceed_credits,
                                       account.credits_must_not_exceed_debits, account.debits_posted,
                                       account.credits_posted))
      return refused(std::move(*problem));
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
