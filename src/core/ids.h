// Typed identifiers (an OrderId is not a MerchantId) and the generators of new ones.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace paygate {

template <class Tag>
struct Id {
  std::string value;

  friend bool operator==(const Id&, const Id&) = default;
  friend auto operator<=>(const Id&, const Id&) = default;
};

using OrderId = Id<struct OrderIdTag>;
using MerchantId = Id<struct MerchantIdTag>;
using RefundId = Id<struct RefundIdTag>;

// Ids that must be unique but need not be secret (order ids, request and trace ids) come from a per-thread
// xoshiro256** generator seeded from the CSPRNG: OpenSSL's RAND_bytes cost ~6% of request CPU here.
// Secrets (merchant keys) always come from the CSPRNG itself.
//
// "yyyyMMddHHmmssSSS" (UTC) followed by 12 random base62 characters: 29 characters of [0-9A-Za-z], so the
// id sorts by creation time and is a valid out_trade_no at Alipay (64), WeChat Pay (32) and UnionPay (40).
OrderId new_order_id(std::int64_t now_unix_ms);
inline constexpr std::size_t kOrderIdLength = 29;

// "R" followed by an order-id-shaped body: 30 characters of [0-9A-Za-z] (UnionPay refunds allow only
// letters and digits), sorting by creation time among refunds.
RefundId new_refund_id(std::int64_t now_unix_ms);
inline constexpr std::size_t kRefundIdLength = 30;
bool is_refund_id_syntax(std::string_view text);

// "mch_" followed by 16 random base62 characters.
MerchantId new_merchant_id();

// A merchant API secret: "sk_" followed by 43 base62 characters (over 256 bits of entropy).
std::string new_merchant_secret();

// A merchant's webhook signing secret: "whsec_" followed by 43 base62 characters, from the CSPRNG.
std::string new_webhook_secret();

// A request id for logs and X-Request-Id: 24 lowercase hex characters.
std::string new_request_id();
// An outbox event id: "evt_" followed by an order-id-shaped body (creation time, then 12 random base62
// characters). Ids that sort by time keep the outbox's primary key appending at its newest leaf instead of
// dirtying a random page of it on every payment.
std::string new_event_id(std::int64_t now_unix_ms);
// W3C trace context ids: 32 and 16 lowercase hex characters, never all zero.
std::string new_trace_id();
std::string new_span_id();

bool is_order_id_syntax(std::string_view text);

}  // namespace paygate
