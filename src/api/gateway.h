// The gateway's HTTP application: the route table and the middleware every request passes through
// (request id, traceparent, access log, metrics, exception recovery, authentication, Idempotency-Key).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/authenticator.h"
#include "app/cashier.h"
#include "app/idempotency.h"
#include "app/ledger_queries.h"
#include "app/merchant_events.h"
#include "app/notifies.h"
#include "app/operators.h"
#include "app/orders.h"
#include "app/refunds.h"
#include "core/metrics.h"
#include "net/http_types.h"
#include "net/router.h"

namespace paygate::api {

struct RequestContext {
  explicit RequestContext(const http::Request& r) : request(r) {}
  const http::Request& request;
  std::string request_id;
  std::string traceparent;  // ours, continuing the caller's trace
  http::PathParams params;
  std::optional<Merchant> merchant;  // set on merchant routes
  std::optional<Operator> op;        // set on operator routes (/admin/v1)

  std::string_view param(std::string_view name) const;
  const MerchantId& merchant_id() const { return merchant->merchant_id; }

  // Wraps a store completion so that it runs on this request's connection thread.
  template <class T, class F>
  std::function<void(Result<T>)> on_connection(F continuation) const {
    return
        [run = request.run_on_connection, continuation = std::move(continuation)](Result<T> result) mutable {
          if (!run) return continuation(std::move(result));
          run([continuation = std::move(continuation), result = std::move(result)]() mutable {
            continuation(std::move(result));
          });
        };
  }
};

using RouteHandler = std::function<void(const RequestContext&, http::Responder)>;

// Metric series of one route, looked up once: the hot path then only touches atomics.
class RouteMetrics {
 public:
  RouteMetrics(MetricsRegistry& registry, std::string route, std::string method);
  void record(int status, double seconds);

 private:
  static constexpr int kStatusMax = 600;
  MetricsRegistry& registry_;
  const std::string route_;
  const std::string method_;
  Histogram& latency_seconds_;
  std::array<std::atomic<Counter*>, kStatusMax> requests_by_status_{};
};

// Who may call a route: anyone, a merchant (HMAC signature), or an operator (bearer key) reading or writing.
enum class Access : std::uint8_t { kPublic, kMerchant, kOperatorRead, kOperatorWrite };

struct RouteSpec {
  Access access = Access::kMerchant;
  RouteHandler handler;
  std::shared_ptr<RouteMetrics> metrics;
};

struct GatewayServices {
  Authenticator& authenticator;
  OrderService& orders;
  RefundService& refunds;
  LedgerQueries& ledger;
  MerchantEvents& events;
  NotifyService& notifies;
  CashierService* cashier;     // null: no cashier routes
  OperatorService* operators;  // null: no operator API
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
  void add(std::string method, std::string_view pattern, bool authenticated, RouteHandler handler);
  void add_admin(std::string method, std::string_view pattern, bool writes, RouteHandler handler);
  void add_route(std::string method, std::string_view pattern, Access access, RouteHandler handler);
  // A merchant route: the signature and nonce checked (maybe on the replay guard's thread), then the route,
  // through its Idempotency-Key when a POST has one.
  void serve_merchant(const std::shared_ptr<RequestContext>& context, const RouteSpec& route,
                      http::Responder reply);
  // The operator behind an /admin/v1 request, allowed the route's access; an error answer when not.
  Status authenticate_operator(RequestContext& context, Access access);
  // Runs work, answering 500 INTERNAL_ERROR (logged with the request id) if it throws.
  static void guarded(const RequestContext& context, const http::Responder& reply,
                      const std::function<void()>& work);
  void add_order_routes();
  void add_refund_routes();
  void add_event_routes();
  void add_system_routes();
  void add_notify_routes();
  void add_cashier_routes();
  void add_admin_routes();
  void run_idempotent(const std::shared_ptr<RequestContext>& context, const RouteSpec& route,
                      http::Responder respond);
  http::Responder instrument(const std::shared_ptr<RequestContext>& context, std::string_view route,
                             RouteMetrics& metrics, http::Responder respond);

  GatewayServices services_;
  http::Router<RouteSpec> router_;
  RouteMetrics unmatched_metrics_;
};

}  // namespace paygate::api
