#include "domain/ledger/transfer.h"

#include <array>

#include "core/assert.h"

namespace paygate::ledger {

std::string_view to_string(TransferCode code) {
  static constexpr std::array<std::string_view, 6> kNames = {"payment", "merchant_fee", "channel_fee",
                                                             "refund",  "fee_refund",   "channel_fee_refund"};
  const auto index = static_cast<std::size_t>(code);
  PAYGATE_ASSERT(index < kNames.size());
  return kNames[index];
}

std::string channel_receivable(std::string_view channel_account_id) {
  return "asset:channel_receivable:" + std::string(channel_account_id);
}

std::string merchant_payable(std::string_view merchant_id) {
  return "liability:merchant_payable:" + std::string(merchant_id);
}

}  // namespace paygate::ledger
