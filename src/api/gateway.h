// The gateway's HTTP application: the route table and the middleware every request passes through
// (request id, traceparent, access log, metrics, exception recovery, authentication, Idempotency-Key).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "api/router.h"
#include "app/authenticator.h"
#include "app/idempotency.h"
#include "app/orders.h"
#include "core/metrics.h"

namespace paygate::api {

struct RequestContext {
  explicit RequestContext(const http::Request& r) : request(r) {}
  const http::Request& request;
  std::string request_id;
  std::string traceparent;  // ours, continuing the caller's trace
  http::PathParams params;
  std::optional<Merchant> merchant;  // set on authenticated routes

  std::string_view param(std::string_view name) const;
  const MerchantId& merchant_id() const { return merchant->merchant_id; }
};

using RouteHandler = std::function<void(const RequestContext&, http::Responder)>;

struct RouteSpec {
  bool authenticated = true;
  RouteHandler handler;
};

struct GatewayServices {
  Authenticator& authenticator;
  OrderService& orders;
  IdempotencyService& idempotency;
  MetricsRegistry& metrics;
  std::function<bool()> ready;  // /readyz: the store answers and the node is not shutting down
  std::string public_base_url;
  bool access_log = true;
};

class Gateway {
 public:
  explicit Gateway(GatewayServices services);
  void handle(const http::Request& request, http::Responder respond);

 private:
  void add_order_routes();
  void add_system_routes();
  void run_idempotent(const std::shared_ptr<RequestContext>& context, const RouteSpec& route, http::Responder respond);
  http::Responder instrument(const std::shared_ptr<RequestContext>& context, std::string route,
                             http::Responder respond);

  GatewayServices services_;
  http::Router<RouteSpec> router_;
};

}  // namespace paygate::api
