#include "domain/merchant.h"

#include "core/time.h"
#include "nlohmann/json.hpp"

namespace paygate {

std::string merchant_public_json(const Merchant& merchant) {
  return nlohmann::json{{"merchant_id", merchant.merchant_id.value},
                        {"name", merchant.name},
                        {"enabled", merchant.enabled},
                        {"created_at", format_rfc3339_ms(merchant.created_at_ms)},
                        {"secret_version", merchant.secret_version},
                        {"webhook_secret_version", merchant.webhook_secret_version}}
      .dump();
}

std::string_view to_string(OperatorRole role) { return role == OperatorRole::kAdmin ? "admin" : "viewer"; }

std::optional<OperatorRole> parse_operator_role(std::string_view text) {
  if (text == "admin") return OperatorRole::kAdmin;
  if (text == "viewer") return OperatorRole::kViewer;
  return std::nullopt;
}

}  // namespace paygate
