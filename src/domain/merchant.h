// A merchant: who may call the API, with which secret.
#pragma once

#include <cstdint>
#include <string>

#include "core/ids.h"

namespace paygate {

struct Merchant {
  MerchantId merchant_id;
  std::string name;
  std::string secret;  // HMAC key for API requests; never logged, never echoed
  bool enabled = true;
  std::int64_t created_at_ms = 0;
  std::string webhook_secret;  // HMAC key that signs our webhooks to the merchant; separate from `secret`
};

}  // namespace paygate
