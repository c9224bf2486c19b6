// Double-entry transfers in the style of TigerBeetle: each moves an amount from one account (debited) to
// another (credited), in one currency; a money event is a batch of transfers that apply all or none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"

namespace paygate::ledger {

enum class TransferCode : std::uint8_t {
  kPayment,
  kMerchantFee,
  kChannelFee,
  kRefund,
  kFeeRefund,
  kChannelFeeRefund,
  kLatePayment,
  kReversal
};
std::string_view to_string(TransferCode code);
std::optional<TransferCode> parse_transfer_code(std::string_view text);

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

enum class AccountType : std::uint8_t { kAsset, kLiability, kRevenue, kExpense };
std::string_view to_string(AccountType type);

// What the chart says about an account code: its type (the code's first segment) and the balance it may
// never cross. A wallet is money we hold for a user: its debits can never exceed its credits. A channel
// receivable is money a channel owes us: its credits can never exceed its debits. A merchant payable may go
// below zero: a merchant that keeps no balance and refunds a payment whose fee is not refunded owes us the
// fee, as with any acquirer.
struct AccountRules {
  AccountType type = AccountType::kAsset;
  bool debits_must_not_exceed_credits = false;
  bool credits_must_not_exceed_debits = false;
};
// Unknown first segment: an error naming the code.
Result<AccountRules> account_rules(std::string_view code);

using TransferBatch = std::vector<Transfer>;

}  // namespace paygate::ledger
