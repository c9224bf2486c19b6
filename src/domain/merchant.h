// A merchant: who may call the API, with which secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"

namespace paygate {

struct Merchant {
  MerchantId merchant_id;
  std::string name;
  std::string secret;  // HMAC key for API requests; never logged, never echoed
  bool enabled = true;
  std::int64_t created_at_ms = 0;
  std::string webhook_secret;  // HMAC key that signs our webhooks to the merchant; separate from `secret`
  // Each rotation counts up: the audit log shows that a secret changed without ever showing it.
  std::int32_t secret_version = 1;
  std::int32_t webhook_secret_version = 1;
};

// What may be shown of a merchant anywhere (operator API, audit log): never a secret.
std::string merchant_public_json(const Merchant& merchant);

// The platform's operators (DESIGN §10): a viewer reads, an admin also writes.
enum class OperatorRole : std::uint8_t { kAdmin, kViewer };
std::string_view to_string(OperatorRole role);
std::optional<OperatorRole> parse_operator_role(std::string_view text);

struct Operator {
  std::string operator_id;
  std::string name;
  OperatorRole role = OperatorRole::kViewer;
  std::int64_t created_at_ms = 0;
};

// One line of the append-only audit log: who did what to which target, the target before and after (public
// fields only), under which request, when.
struct AuditEntry {
  std::int64_t audit_id = 0;  // set by the store
  std::int64_t at_ms = 0;
  std::string operator_id;
  std::string action;  // e.g. "merchant.create", "merchant.disable", "merchant.rotate_secret"
  std::string target;  // e.g. "merchant:mch_…"
  std::string before_json;
  std::string after_json;
  std::string request_id;
};

}  // namespace paygate
