// What a merchant may read of the ledger (its balance, its side of an order's or a refund's transfers), and
// the operator's journal export.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "ports/store.h"

namespace paygate {

class LedgerQueries {
 public:
  explicit LedgerQueries(Store& store) : store_(store) {}

  Result<MerchantBalance> balance(const MerchantId& merchant_id);
  // Exactly one of order_id and refund_id; the merchant sees only transfers touching its payable account.
  Result<std::vector<StoredTransfer>> transfers(const MerchantId& merchant_id,
                                                const std::optional<std::string>& order_id,
                                                const std::optional<std::string>& refund_id);

 private:
  Store& store_;
};

// Writes every transfer as a journal the `ledger` and `hledger` tools accept: one transaction per batch,
// amounts in major units with the currency as commodity ("9.90 CNY"), dates in UTC.
Status write_ledger_journal(Store& store, std::ostream& out);

}  // namespace paygate
