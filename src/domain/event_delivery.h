// Merchant events (the outbox) and where their delivery stands: pending (to be sent, or sent again after a
// failure), delivered (the merchant answered 2xx), dead (retried for the whole schedule without success;
// a resend revives it), no_endpoint (neither the order nor the refund names a notify_url).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"

namespace paygate {

enum class DeliveryStatus : std::uint8_t { kPending, kDelivered, kDead, kNoEndpoint };

std::string_view to_string(DeliveryStatus status);
std::optional<DeliveryStatus> parse_delivery_status(std::string_view text);

struct OutboxEvent {
  std::string event_id;  // the same on every delivery attempt: merchants deduplicate by it
  MerchantId merchant_id;
  OrderId order_id;
  std::string type;     // "order.succeeded", "order.closed", "refund.succeeded", "refund.failed"
  std::string payload;  // the JSON body sent: {"id","type","created_at","data"}
  std::int64_t created_at_ms = 0;
  std::string notify_url;
  DeliveryStatus status = DeliveryStatus::kPending;
  std::int32_t attempts = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::int32_t last_http_status = 0;  // 0: no HTTP answer (refused, timed out)
  std::string last_error;
  std::int64_t delivered_at_ms = 0;
};

}  // namespace paygate
