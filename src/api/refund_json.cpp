#include "api/refund_json.h"

#include <algorithm>
#include <array>

#include "core/time.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

Error invalid(std::string_view field, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", field, problem));
}

constexpr std::array<std::string_view, 4> kCreateFields = {"out_refund_no", "amount", "reason", "notify_url"};

json optional_text(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace

Result<CreateRefundInput> parse_create_refund(std::string_view text) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_error(ErrorCode::kInvalidJson, "body: must be a JSON object");
  CreateRefundInput input;
  for (const auto& [key, value] : body.items()) {
    if (std::find(kCreateFields.begin(), kCreateFields.end(), key) == kCreateFields.end())
      return invalid(key.substr(0, 64), "is not a field of a refund");
    if (value.is_null()) continue;
    if (key == "amount") {
      if (!value.is_number_integer()) return invalid("amount", "must be an integer (minor units, e.g. fen)");
      if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return invalid("amount", "is too large");
      input.amount_minor = value.get<std::int64_t>();
      continue;
    }
    if (!value.is_string()) return invalid(key, "must be a string");
    std::string field = value.get<std::string>();
    if (key == "out_refund_no") input.out_refund_no = std::move(field);
    if (key == "reason") input.reason = std::move(field);
    if (key == "notify_url") input.notify_url = std::move(field);
  }
  return input;
}

json refund_to_json(const Refund& refund) {
  json failure = nullptr;
  if (refund.status == RefundStatus::kFailed) {
    failure = json{{"code", refund.failure_code}, {"message", refund.failure_message}};
  }
  return json{
      {"refund_id", refund.refund_id.value},
      {"order_id", refund.order_id.value},
      {"out_refund_no", refund.out_refund_no},
      {"status", to_string(refund.status)},
      {"amount", refund.amount.minor},
      {"currency", currency_code(refund.amount.currency)},
      {"reason", optional_text(refund.reason)},
      {"notify_url", optional_text(refund.notify_url)},
      {"created_at", format_rfc3339_ms(refund.created_at_ms)},
      {"updated_at", format_rfc3339_ms(refund.updated_at_ms)},
      {"succeeded_at",
       refund.succeeded_at_ms > 0 ? json(format_rfc3339_ms(refund.succeeded_at_ms)) : json(nullptr)},
      {"failure", std::move(failure)},
  };
}

json transfer_to_json(const StoredTransfer& stored) {
  return json{
      {"transfer_id", stored.transfer_id},
      {"batch_id", stored.batch_id},
      {"debit_account", stored.transfer.debit_account},
      {"credit_account", stored.transfer.credit_account},
      {"amount", stored.transfer.amount.minor},
      {"currency", currency_code(stored.transfer.amount.currency)},
      {"code", ledger::to_string(stored.transfer.code)},
      {"reference", stored.transfer.reference},
      {"order_id", stored.order_id},
      {"created_at", format_rfc3339_ms(stored.created_at_ms)},
  };
}

json balance_to_json(const MerchantBalance& balance) {
  return json{
      {"currency", currency_code(balance.currency)},
      {"payable", balance.payable_minor},
      {"refunds_pending", balance.refunds_pending_minor},
      {"available", balance.payable_minor - balance.refunds_pending_minor},
  };
}

}  // namespace paygate::api
