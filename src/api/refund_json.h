// Refund and ledger DTOs: the refund create body to its use-case input (type checks, unknown fields
// rejected), and refunds, transfers and balances to JSON.
#pragma once

#include <string_view>

#include "app/refunds.h"
#include "nlohmann/json_fwd.hpp"

namespace paygate::api {

Result<CreateRefundInput> parse_create_refund(std::string_view body);
nlohmann::json refund_to_json(const Refund& refund);
nlohmann::json transfer_to_json(const StoredTransfer& transfer);
nlohmann::json balance_to_json(const MerchantBalance& balance);

}  // namespace paygate::api
