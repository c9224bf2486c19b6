#include "infra/store/shared/row_readers.h"

namespace paygate::store_rows {

std::optional<ledger::AccountType> parse_account_type(std::string_view text) {
  using ledger::AccountType;
  for (AccountType type :
       {AccountType::kAsset, AccountType::kLiability, AccountType::kRevenue, AccountType::kExpense}) {
    if (ledger::to_string(type) == text) return type;
  }
  return std::nullopt;
}

}  // namespace paygate::store_rows
