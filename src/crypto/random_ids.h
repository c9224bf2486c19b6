// New identifiers and credentials, every random part from the kernel's CSPRNG (crypto/random.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/ids.h"

namespace paygate {

// Every random part of every id comes from the kernel's CSPRNG (crypto/random.h): an order id is the only
// credential of its public cashier page, and request, trace and event ids travel to merchants and logs.
//
// "yyyyMMddHHmmssSSS" (UTC) followed by 15 random base62 characters (89 random bits): 32 characters of
// [0-9A-Za-z], so the id sorts by creation time and is a valid out_trade_no at Alipay (64), WeChat Pay (32)
// and UnionPay (40). Ids made before the random part grew (12 characters, 29 in all) are still read.
OrderId new_order_id(std::int64_t now_unix_ms);

// "R" followed by an order-id-shaped body: 33 characters of [0-9A-Za-z] (UnionPay refunds allow only
// letters and digits, up to 40), sorting by creation time among refunds.
RefundId new_refund_id(std::int64_t now_unix_ms);

// "mch_" followed by 16 random base62 characters.
MerchantId new_merchant_id();

// A merchant API secret: "sk_" followed by 43 base62 characters (over 256 bits of entropy).
std::string new_merchant_secret();

// A merchant's webhook signing secret: "whsec_" followed by 43 base62 characters, from the CSPRNG.
std::string new_webhook_secret();

// A request id for logs and X-Request-Id: 32 lowercase hex characters (128 random bits).
std::string new_request_id();
// An outbox event id: "evt_" followed by the creation time and 17 random base62 characters (101 bits). Ids
// that sort by time keep the outbox's primary key appending at its newest leaf instead of dirtying a random
// page of it on every payment.
std::string new_event_id(std::int64_t now_unix_ms);
// W3C trace context ids: 32 and 16 lowercase hex characters, never all zero.
std::string new_trace_id();
std::string new_span_id();

}  // namespace paygate
