#include "domain/ledger/transfer.h"

#include <array>

#include "core/assert.h"
#include "fmt/format.h"

namespace paygate::ledger {

namespace {

constexpr std::array<std::string_view, 8> kTransferCodeNames = {
    "payment",    "merchant_fee",       "channel_fee",  "refund",
    "fee_refund", "channel_fee_refund", "late_payment", "reversal"};

}  // namespace

std::optional<TransferCode> parse_transfer_code(std::string_view text) {
  for (std::size_t i = 0; i < kTransferCodeNames.size(); ++i) {
    if (kTransferCodeNames[i] == text) return static_cast<TransferCode>(i);
  }
  return std::nullopt;
}

std::string_view to_string(TransferCode code) {
  const auto index = static_cast<std::size_t>(code);
  PAYGATE_ASSERT(index < kTransferCodeNames.size());
  return kTransferCodeNames[index];
}

std::string channel_receivable(std::string_view channel_account_id) {
  return "asset:channel_receivable:" + std::string(channel_account_id);
}

std::string merchant_payable(std::string_view merchant_id) {
  return "liability:merchant_payable:" + std::string(merchant_id);
}

std::string_view to_string(AccountType type) {
  static constexpr std::array<std::string_view, 4> kNames = {"asset", "liability", "revenue", "expense"};
  const auto index = static_cast<std::size_t>(type);
  PAYGATE_ASSERT(index < kNames.size());
  return kNames[index];
}

Result<AccountRules> account_rules(std::string_view code) {
  const std::string_view head = code.substr(0, code.find(':'));
  if (head == "asset") {
    return AccountRules{AccountType::kAsset, false, code.starts_with("asset:channel_receivable:")};
  }
  if (head == "liability") {
    return AccountRules{AccountType::kLiability, code.starts_with("liability:wallet:"), false};
  }
  if (head == "revenue") return AccountRules{AccountType::kRevenue, false, false};
  if (head == "expense") return AccountRules{AccountType::kExpense, false, false};
  return make_error(ErrorCode::kInvalidParameter,
                    fmt::format("account {}: the chart has no such account type", code));
}

}  // namespace paygate::ledger
