#include "app/orders.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "app/channel_call.h"
#include "app/input_checks.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"

namespace paygate {
namespace {

Error invalid(std::string_view field, std::string_view problem) { return invalid_field(field, problem); }

bool is_ip_address(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// Canonical text of the fields that define the order; equal fingerprints mean "the same create request".
std::string fingerprint(const CreateOrderInput& input, const Order& order) {
  std::string canonical = fmt::format(
      "out_trade_no={}\x1f"
      "amount={}\x1f"
      "currency={}\x1f"
      "subject={}\x1f"
      "channel={}\x1f"
      "method={}\x1f"
      "notify_url={}\x1f"
      "expire_seconds={}\x1f"
      "metadata={}\x1f"
      "client_ip={}\x1f"
      "user_id={}",
      order.out_trade_no, order.amount.minor, currency_code(order.amount.currency), order.subject,
      order.channel ? to_string(*order.channel) : "", order.method, order.notify_url,
      input.expire_seconds ? std::to_string(*input.expire_seconds) : "", order.metadata_json, order.client_ip,
      order.user_id);
  return crypto::hex_encode(crypto::sha256(canonical));
}

Status preflight_identity(const CreateOrderInput& input) {
  if (!input.out_trade_no) return invalid("out_trade_no", "is required");
  if (!is_token(*input.out_trade_no, 64))
    return invalid("out_trade_no", "must be 1-64 characters of [A-Za-z0-9_-]");
  if (!input.amount_minor) return invalid("amount", "is required (integer minor units, e.g. fen)");
  if (*input.amount_minor < 1 || *input.amount_minor > kOrderAmountMinorMax) {
    return invalid("amount", fmt::format("must be between 1 and {} minor units", kOrderAmountMinorMax));
  }
  if (input.currency && !parse_currency(*input.currency)) {
    return make_error(ErrorCode::kUnsupportedCurrency,
                      fmt::format("currency: '{}' is not supported; use CNY", input.currency->substr(0, 16)));
  }
  if (!input.subject) return invalid("subject", "is required");
  const auto subject_length = utf8_length(*input.subject);
  if (!subject_length) return invalid("subject", "must be valid UTF-8");
  if (*subject_length < 1 || *subject_length > 128) return invalid("subject", "must be 1-128 characters");
  if (has_control_characters(*input.subject))
    return invalid("subject", "must not contain control characters");
  return {};
}

Status preflight_channel(const CreateOrderInput& input) {
  if (!input.channel) {
    if (input.method) return invalid("method", "needs a channel; leave both out to let the payer choose");
    return {};
  }
  const auto channel = parse_channel(*input.channel);
  if (!channel) return invalid("channel", "must be alipay, wechatpay or unionpay");
  if (!input.method) return invalid("method", fmt::format("is required with channel {}", *input.channel));
  if (!is_method_of(*channel, *input.method)) {
    return invalid("method",
                   fmt::format("must be one of {} for channel {}", methods_of(*channel), *input.channel));
  }
  // WeChat Pay JSAPI charges a known payer: the openid of the WeChat user on the merchant's page.
  if (*channel == Channel::kWechatpay && *input.method == "jsapi" && !input.user_id)
    return invalid("user_id", "is required with method jsapi (the payer's WeChat openid)");
  return {};
}

Status preflight_extras(const CreateOrderInput& input, const OrderConfig& config,
                        const DestinationPolicy& destinations) {
  if (input.notify_url) {
    if (auto status = check_notify_url(*input.notify_url, destinations); !status) return status;
  }
  if (input.expire_seconds &&
      (*input.expire_seconds < config.expire_seconds_min || *input.expire_seconds > kExpireSecondsMax)) {
    return invalid("expire_seconds",
                   fmt::format("must be between {} and {}", config.expire_seconds_min, kExpireSecondsMax));
  }
  if (input.metadata_json && input.metadata_json->size() > kMetadataBytesMax) {
    return invalid("metadata", "must be at most 4096 bytes as JSON");
  }
  if (input.client_ip && !is_ip_address(*input.client_ip))
    return invalid("client_ip", "must be an IPv4 or IPv6 address");
  if (input.user_id) {
    const auto length = utf8_length(*input.user_id);
    if (!length || *length < 1 || *length > 64 || has_control_characters(*input.user_id)) {
      return invalid("user_id", "must be 1-64 characters of valid UTF-8 without control characters");
    }
  }
  return {};
}

}  // namespace

Result<Order> preflight_create_order(const MerchantId& merchant_id, const CreateOrderInput& input,
                                     const OrderConfig& config, std::int64_t now_ms,
                                     const DestinationPolicy& destinations) {
  for (auto check : {preflight_identity, preflight_channel}) {
    if (auto status = check(input); !status) return std::move(status).error();
  }
  if (auto status = preflight_extras(input, config, destinations); !status) return std::move(status).error();
  Order order;
  order.order_id = new_order_id(now_ms);
  order.merchant_id = merchant_id;
  order.out_trade_no = *input.out_trade_no;
  order.amount =
      Money{*input.amount_minor, input.currency ? *parse_currency(*input.currency) : Currency::kCny};
  order.subject = *input.subject;
  if (input.channel) order.channel = parse_channel(*input.channel);
  order.method = input.method.value_or("");
  order.notify_url = input.notify_url.value_or("");
  order.metadata_json = input.metadata_json.value_or("");
  order.client_ip = input.client_ip.value_or("");
  order.user_id = input.user_id.value_or("");
  order.status = OrderStatus::kPending;
  order.version = 1;
  order.created_at_ms = now_ms;
  order.updated_at_ms = now_ms;
  order.expires_at_ms = now_ms + input.expire_seconds.value_or(config.expire_seconds_default) * 1000;
  order.next_query_at_ms = now_ms + config.query_first_ms;
  order.request_fingerprint = fingerprint(input, order);
  return order;
}

Result<OrderQuery> preflight_list_orders(const MerchantId& merchant_id, const ListOrdersInput& input) {
  OrderQuery query;
  query.merchant_id = merchant_id;
  if (input.status) {
    query.status = parse_order_status(*input.status);
    if (!query.status) {
      return invalid("status", "must be pending, succeeded, partially_refunded, refunded, closed or failed");
    }
  }
  if (input.created_after) {
    query.created_after_ms = parse_rfc3339_ms(*input.created_after);
    if (!query.created_after_ms)
      return invalid("created_after", "must be an RFC 3339 time, e.g. 2026-01-31T08:00:00Z");
  }
  if (input.limit) {
    std::uint32_t limit = 0;
    const auto* end = input.limit->data() + input.limit->size();
    auto [ptr, ec] = std::from_chars(input.limit->data(), end, limit);
    if (ec != std::errc() || ptr != end || limit < 1 || limit > kListLimitMax) {
      return invalid("limit", fmt::format("must be an integer from 1 to {}", kListLimitMax));
    }
    query.limit = limit;
  }
  if (input.cursor) {
    if (!is_order_id_syntax(*input.cursor)) return invalid("cursor", "is not a cursor this API returned");
    query.before_order_id = OrderId{*input.cursor};
  }
  return query;
}

OrderService::OrderService(Store& store, const Clock& clock, OrderConfig config, ChannelRegistry& channels,
                           WorkerPool& workers, OrderEventHub& events, const FeePolicy& fees,
                           std::string notify_base_url, DestinationPolicy destinations)
    : store_(store),
      clock_(clock),
      config_(config),
      channels_(channels),
      workers_(workers),
      events_(events),
      fees_(fees),
      notify_base_url_(std::move(notify_base_url)),
      destinations_(std::move(destinations)) {}

std::string OrderService::notify_url(const ChannelGateway& gateway) const {
  return fmt::format("{}/notify/{}/{}", notify_base_url_, to_string(gateway.channel()), gateway.account_id());
}

void OrderService::create(const MerchantId& merchant_id, const CreateOrderInput& input,
                          Completion<CreatedOrder> done) {
  auto order = preflight_create_order(merchant_id, input, config_, clock_.now_unix_ms(), destinations_);
  if (!order.ok()) return done(std::move(order).error());
  ChannelGateway* gateway = nullptr;
  if (order->channel) {
    gateway = channels_.for_channel(*order->channel);
    if (gateway == nullptr) {
      // Saying so beats storing an order nobody can pay.
      return done(
          make_error(ErrorCode::kChannelUnavailable,
                     fmt::format("channel: {} is not configured on this gateway; leave channel out to use "
                                 "the cashier",
                                 to_string(*order->channel))));
    }
    order->channel_account_id = gateway->account_id();
  }
  // The order is durable before the channel hears of it: a crash after the channel call loses nothing, and a
  // retry of the same create finds the order and asks the channel again (precreate is idempotent there).
  store_.create_order(std::move(order).value(),
                      [this, gateway, done = std::move(done)](Result<CreatedOrder> created) mutable {
                        if (!created.ok() || gateway == nullptr) return done(std::move(created));
                        const Order& stored = created->order;
                        if (stored.status != OrderStatus::kPending || !stored.payment_url.empty()) {
                          return done(std::move(created));
                        }
                        const bool created_now = created->created;
                        request_payment(std::move(created).value().order,
                                        [created_now, done = std::move(done)](Result<Order> order) mutable {
                                          if (!order.ok()) return done(std::move(order).error());
                                          done(CreatedOrder{std::move(order).value(), created_now});
                                        });
                      });
}

void OrderService::request_payment(Order order, Completion<Order> done) {
  ChannelGateway* gateway = channels_.by_account(order.channel_account_id);
  if (gateway == nullptr) {
    return done(make_error(ErrorCode::kChannelUnavailable,
                           fmt::format("channel account '{}' is not configured", order.channel_account_id)));
  }
  auto call = [this, gateway, order = std::move(order)](const OnceCompletion<Order>& finish) {
    auto payment = gateway->create_payment(order, notify_url(*gateway));
    if (!payment.ok()) return finish(std::move(payment).error());
    store_.attach_payment(PaymentAttachment{order.merchant_id, order.order_id, payment->payment_url,
                                            payment->payment_params_json},
                          [this, finish](Result<Order> stored) {
                            if (stored.ok()) events_.publish(*stored);
                            finish(std::move(stored));
                          });
  };
  run_channel_call<Order>(workers_, std::move(done), std::move(call), channel_calls_saturated());
}

void OrderService::apply_channel_answer(ChannelGateway& gateway, const Order& order,
                                        const ChannelTrade& trade, Completion<ChannelTradeOutcome> done) {
  ChannelTradeReport report{
      "", order.order_id, trade.status, trade.amount_minor, trade.channel_trade_no, trade.paid_at_ms};
  store_.apply_channel_event(ChannelTradeEvent{gateway.channel(), gateway.account_id(), std::move(report), "",
                                               clock_.now_unix_ms(), fees_.for_account(gateway.account_id())},
                             [this, done = std::move(done)](Result<ChannelTradeOutcome> outcome) {
                               if (outcome.ok() && outcome->changed) events_.publish(outcome->order);
                               done(std::move(outcome));
                             });
}

void OrderService::sync(const MerchantId& merchant_id, std::string_view order_id, Completion<Order> done) {
  auto order = get(merchant_id, order_id);
  if (!order.ok() || !order->channel || order->status != OrderStatus::kPending) return done(std::move(order));
  ChannelGateway* gateway = channels_.by_account(order->channel_account_id);
  if (gateway == nullptr) return done(std::move(order));
  auto call = [this, gateway, order = std::move(order).value()](const OnceCompletion<Order>& finish) {
    auto trade = gateway->query(order);
    if (!trade.ok()) return finish(std::move(trade).error());
    if (trade->status != ChannelTradeStatus::kPaid && trade->status != ChannelTradeStatus::kClosed) {
      return finish(order);
    }
    apply_channel_answer(*gateway, order, *trade, [finish](Result<ChannelTradeOutcome> outcome) {
      if (!outcome.ok()) return finish(std::move(outcome).error());
      finish(std::move(outcome->order));
    });
  };
  run_channel_call<Order>(workers_, std::move(done), std::move(call), channel_calls_saturated());
}

Result<Order> OrderService::get(const MerchantId& merchant_id, std::string_view order_id) {
  auto not_found = [&] {
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order_id '{}' not found", order_id.substr(0, 64)));
  };
  if (!is_order_id_syntax(order_id)) return not_found();
  auto found = store_.find_order(merchant_id, OrderId{std::string(order_id)});
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return not_found();
  return std::move(**found);
}

Result<Order> OrderService::get_by_out_trade_no(const MerchantId& merchant_id,
                                                std::string_view out_trade_no) {
  if (!is_token(out_trade_no, 64)) return invalid("out_trade_no", "must be 1-64 characters of [A-Za-z0-9_-]");
  auto found = store_.find_order_by_out_trade_no(merchant_id, std::string(out_trade_no));
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) {
    return make_error(ErrorCode::kOrderNotFound, fmt::format("out_trade_no '{}' not found", out_trade_no));
  }
  return std::move(**found);
}

Result<OrderPage> OrderService::list(const MerchantId& merchant_id, const ListOrdersInput& input) {
  auto query = preflight_list_orders(merchant_id, input);
  if (!query.ok()) return std::move(query).error();
  return store_.list_orders(*query);
}

std::int64_t next_order_query_ms(const OrderConfig& config, std::int32_t attempts, std::int64_t now_ms) {
  // 5 s, 10 s, 30 s, 1 min, 2 min, 5 min, then every 5 min (with query_first_ms = 5 s).
  static constexpr std::array<std::int64_t, 6> kMultiples = {1, 2, 6, 12, 24, 60};
  const auto index = static_cast<std::size_t>(std::clamp<std::int32_t>(attempts, 0, kMultiples.size() - 1));
  return now_ms + config.query_first_ms * kMultiples[index];
}

void OrderService::expire(const Order& order, Completion<Order> done) {
  auto close_here = [this, order](Completion<Order> finish) {
    store_.apply_order_event(
        OrderEventCommand{order.merchant_id, order.order_id, OrderEvent::kClose, clock_.now_unix_ms()},
        [this, finish = std::move(finish)](Result<OrderEventOutcome> outcome) {
          if (!outcome.ok()) return finish(std::move(outcome).error());
          if (outcome->changed) events_.publish(outcome->order);
          finish(std::move(outcome).value().order);
        });
  };
  ChannelGateway* gateway =
      order.channel_account_id.empty() ? nullptr : channels_.by_account(order.channel_account_id);
  if (gateway == nullptr) return close_here(std::move(done));
  auto call = [this, gateway, order, close_here](const OnceCompletion<Order>& finish) {
    auto trade = gateway->query(order);
    if (!trade.ok()) return finish(std::move(trade).error());  // unclear: the next round asks again
    switch (trade->status) {
      case ChannelTradeStatus::kPaid:
      case ChannelTradeStatus::kClosed:
        return apply_channel_answer(*gateway, order, *trade, [finish](Result<ChannelTradeOutcome> outcome) {
          if (!outcome.ok()) return finish(std::move(outcome).error());
          finish(std::move(outcome).value().order);
        });
      case ChannelTradeStatus::kNotFound:
        return close_here(finish);  // the payer never reached the channel: nothing to close there
      case ChannelTradeStatus::kWaiting:
        break;
    }
    auto closed = gateway->close(order);
    if (!closed.ok()) return finish(std::move(closed).error());
    close_here(finish);
  };
  run_channel_call<Order>(workers_, std::move(done), std::move(call), channel_calls_saturated());
}

void OrderService::close(const MerchantId& merchant_id, std::string_view order_id,
                         Completion<OrderEventOutcome> done) {
  auto order = get(merchant_id, order_id);
  if (!order.ok()) return done(std::move(order).error());
  ChannelGateway* gateway = order->status == OrderStatus::kPending && !order->payment_url.empty()
                                ? channels_.by_account(order->channel_account_id)
                                : nullptr;
  auto close_here = [this, merchant_id, id = order->order_id](Completion<OrderEventOutcome> finish) {
    store_.apply_order_event(OrderEventCommand{merchant_id, id, OrderEvent::kClose, clock_.now_unix_ms()},
                             [this, finish = std::move(finish)](Result<OrderEventOutcome> outcome) {
                               if (outcome.ok() && outcome->changed) events_.publish(outcome->order);
                               finish(std::move(outcome));
                             });
  };
  if (gateway == nullptr) return close_here(std::move(done));
  // The channel closes first, so the payer can no longer pay a QR code we consider closed. If it was paid
  // meanwhile, the payment is applied instead and closing is refused.
  auto call = [this, gateway, order = std::move(order).value(),
               close_here](const OnceCompletion<OrderEventOutcome>& finish) {
    auto closed = gateway->close(order);
    if (closed.ok()) return close_here(finish);
    if (closed.error().code == ErrorCode::kChannelOutcomeUnknown) return finish(std::move(closed).error());
    auto trade = gateway->query(order);
    if (!trade.ok() || trade->status != ChannelTradeStatus::kPaid) return finish(std::move(closed).error());
    apply_channel_answer(*gateway, order, *trade, [finish](Result<ChannelTradeOutcome>) {
      finish(make_error(ErrorCode::kOrderStatusInvalid,
                        "the order was paid at the channel; it cannot be closed"));
    });
  };
  run_channel_call<OrderEventOutcome>(workers_, std::move(done), std::move(call), channel_calls_saturated());
}

}  // namespace paygate
