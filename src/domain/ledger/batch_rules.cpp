#include "domain/ledger/batch_rules.h"

#include "fmt/format.h"

namespace paygate::ledger {

std::optional<std::string> transfer_problem(const Transfer& transfer) {
  if (transfer.amount.minor <= 0 || transfer.amount.minor > kMoneyMinorMax)
    return fmt::format("transfer amount {} is not positive", transfer.amount.minor);
  if (transfer.debit_account == transfer.credit_account)
    return fmt::format("transfer from {} to itself", transfer.debit_account);
  return std::nullopt;
}

std::optional<std::string> currency_problem(std::string_view code, Currency account_currency,
                                            Currency transfer_currency) {
  if (account_currency == transfer_currency) return std::nullopt;
  return fmt::format("account {} is in {}, a transfer in {}", code, currency_code(account_currency),
                     currency_code(transfer_currency));
}

std::optional<std::string> balance_problem(std::string_view code, bool debits_must_not_exceed_credits,
                                           bool credits_must_not_exceed_debits, std::int64_t debits_posted,
                                           std::int64_t credits_posted) {
  if ((debits_must_not_exceed_credits && debits_posted > credits_posted) ||
      (credits_must_not_exceed_debits && credits_posted > debits_posted)) {
    return fmt::format("account {} would go below zero", code);
  }
  return std::nullopt;
}

}  // namespace paygate::ledger
