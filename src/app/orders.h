// Order use cases: create (idempotent by out_trade_no), read, list, close. Each runs the checks that need no
// state first (preflight), then hands one command to the Store, which applies it atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "app/channel_registry.h"
#include "app/fee_policy.h"
#include "app/order_events.h"
#include "core/config.h"
#include "core/time.h"
#include "core/worker_pool.h"
#include "domain/destination_policy.h"
#include "ports/store.h"

namespace paygate {

// A create request as the merchant sent it, after JSON type checks; preflight checks values and ranges.
struct CreateOrderInput {
  std::optional<std::string> out_trade_no;
  std::optional<std::int64_t> amount_minor;
  std::optional<std::string> currency;
  std::optional<std::string> subject;
  std::optional<std::string> channel;
  std::optional<std::string> method;
  std::optional<std::string> notify_url;
  std::optional<std::int64_t> expire_seconds;
  std::optional<std::string> metadata_json;  // a JSON object, serialised canonically (sorted keys)
  std::optional<std::string> client_ip;
  std::optional<std::string> user_id;
};

struct ListOrdersInput {
  std::optional<std::string> status;
  std::optional<std::string> created_after;  // RFC 3339
  std::optional<std::string> limit;
  std::optional<std::string> cursor;
};

inline constexpr std::int64_t kOrderAmountMinorMax = 10'000'000'000;  // 10^10 fen = 10^8 yuan
inline constexpr std::int64_t kExpireSecondsMax = 7 * 24 * 3600;
inline constexpr std::size_t kMetadataBytesMax = 4096;
inline constexpr std::uint32_t kListLimitMax = 100;

// Checks every field and builds the order to store (id, timestamps, fingerprint). Errors name the field.
// notify_url must be a destination the policy allows as far as its text tells (the webhook sender checks
// the addresses it resolves to).
Result<Order> preflight_create_order(const MerchantId& merchant_id, const CreateOrderInput& input,
                                     const OrderConfig& config, std::int64_t now_ms,
                                     const DestinationPolicy& destinations = DestinationPolicy{});
// When a pending channel order is next asked about after `attempts` queries (OrderConfig::query_first_ms).
std::int64_t next_order_query_ms(const OrderConfig& config, std::int32_t attempts, std::int64_t now_ms);

Result<OrderQuery> preflight_list_orders(const MerchantId& merchant_id, const ListOrdersInput& input);

class OrderService {
 public:
  // notify_base_url: where channels reach this gateway, e.g. "https://pay.example.com" (notifies go to
  // <notify_base_url>/notify/<channel>/<channel_account_id>).
  OrderService(Store& store, const Clock& clock, OrderConfig config, ChannelRegistry& channels,
               WorkerPool& workers, OrderEventHub& events, const FeePolicy& fees, std::string notify_base_url,
               DestinationPolicy destinations = DestinationPolicy{});

  void create(const MerchantId& merchant_id, const CreateOrderInput& input, Completion<CreatedOrder> done);
  Result<Order> get(const MerchantId& merchant_id, std::string_view order_id);
  Result<Order> get_by_out_trade_no(const MerchantId& merchant_id, std::string_view out_trade_no);
  Result<OrderPage> list(const MerchantId& merchant_id, const ListOrdersInput& input);
  void close(const MerchantId& merchant_id, std::string_view order_id, Completion<OrderEventOutcome> done);
  // Asks the channel where a pending order stands and applies its answer exactly as a notify would be.
  void sync(const MerchantId& merchant_id, std::string_view order_id, Completion<Order> done);

  // Expiry of a pending order: asked at its channel first (it may have been paid — then it succeeds), else
  // closed at the channel (a trade the channel never saw needs no closing), then closed here.
  void expire(const Order& order, Completion<Order> done);

  std::string notify_url(const ChannelGateway& gateway) const;
  // Asks the order's channel for what the payer needs (QR code or pay URL) and records it.
  void request_payment(Order order, Completion<Order> done);

 private:
  // Applies a query's answer exactly as a notify would be applied (no inbox entry), and tells watchers.
  void apply_channel_answer(ChannelGateway& gateway, const Order& order, const ChannelTrade& trade,
                            Completion<ChannelTradeOutcome> done);

  Store& store_;
  const Clock& clock_;
  const OrderConfig config_;
  ChannelRegistry& channels_;
  WorkerPool& workers_;
  OrderEventHub& events_;
  const FeePolicy& fees_;
  const std::string notify_base_url_;
  const DestinationPolicy destinations_;
};

}  // namespace paygate
