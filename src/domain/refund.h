// A refund: part or all of a paid order's amount given back to the payer through the order's channel.
// pending → succeeded | failed (DESIGN §4). While pending, its amount is reserved on the order, so the sum
// of pending and succeeded refunds can never pass the paid amount.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/money.h"

namespace paygate {

enum class RefundStatus : std::uint8_t { kPending, kSucceeded, kFailed };

std::string_view to_string(RefundStatus status);
std::optional<RefundStatus> parse_refund_status(std::string_view text);

struct Refund {
  RefundId refund_id;  // also the refund's idempotency key at the channel (Alipay out_request_no)
  MerchantId merchant_id;
  OrderId order_id;
  std::string out_refund_no;
  Money amount;
  std::string reason;
  std::string notify_url;  // "" when the merchant wants the order's notify_url
  RefundStatus status = RefundStatus::kPending;
  std::int64_t version = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t succeeded_at_ms = 0;
  std::string failure_code;  // the channel's code when it refused, else ""
  std::string failure_message;
  std::string request_fingerprint;         // SHA-256 of the canonical create request
  std::int32_t channel_attempts = 0;       // refund calls and queries sent to the channel so far
  std::int64_t next_channel_check_ms = 0;  // when a pending refund is next asked about at its channel
};

}  // namespace paygate
