// Double-entry transfers in the style of TigerBeetle: each moves an amount from one account (debited) to
// another (credited), in one currency; a money event is a batch of transfers that apply all or none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"

namespace paygate::ledger {

enum class TransferCode : std::uint8_t {
  kPayment,
  kMerchantFee,
  kChannelFee,
  kRefund,
  kFeeRefund,
  kChannelFeeRefund
};
std::string_view to_string(TransferCode code);

struct Transfer {
  std::string debit_account;  // account codes: "asset:channel_receivable:<account>", ...
  std::string credit_account;
  Money amount;  // > 0
  TransferCode code = TransferCode::kPayment;
  std::string reference;  // the order or refund id that caused it
};

// Accounts of the chart (DESIGN §5).
std::string channel_receivable(std::string_view channel_account_id);  // asset
std::string merchant_payable(std::string_view merchant_id);           // liability
inline constexpr std::string_view kRevenueFees = "revenue:fees";
inline constexpr std::string_view kExpenseChannelFees = "expense:channel_fees";

using TransferBatch = std::vector<Transfer>;

}  // namespace paygate::ledger
