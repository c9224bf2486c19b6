#include "api/gateway.h"

#include <chrono>

#include "api/envelope.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"

namespace paygate::api {
namespace {

bool is_hex(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// W3C Trace Context: keep the caller's trace id and flags, start our own span. A missing or malformed
// header starts a new trace.
std::string continue_trace(std::string_view incoming) {
  std::string trace_id;
  std::string flags = "01";
  if (incoming.size() == 55 && incoming.substr(0, 3) == "00-" && incoming[35] == '-' && incoming[52] == '-' &&
      is_hex(incoming.substr(3, 32), 32) && is_hex(incoming.substr(36, 16), 16) &&
      is_hex(incoming.substr(53, 2), 2) && incoming.substr(3, 32) != std::string(32, '0')) {
    trace_id = std::string(incoming.substr(3, 32));
    flags = std::string(incoming.substr(53, 2));
  } else {
    trace_id = new_trace_id();
  }
  return "00-" + trace_id + "-" + new_span_id() + "-" + flags;
}

}  // namespace

std::string_view RequestContext::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

RouteMetrics::RouteMetrics(MetricsRegistry& registry, std::string route, std::string method)
    : registry_(registry),
      route_(std::move(route)),
      method_(std::move(method)),
      latency_seconds_(registry.histogram(
          "paygate_http_request_duration_seconds", "HTTP request latency by route and method",
          {{"route", route_}, {"method", method_}}, latency_buckets_seconds())) {}

void RouteMetrics::record(int status, double seconds) {
  latency_seconds_.observe(seconds);
  if (status < 100 || status >= kStatusMax) status = 599;
  Counter* counter = requests_by_status_[status].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // First response with this status on this route: the registry returns the same series to racing threads.
    counter =
        &registry_.counter("paygate_http_requests_total", "HTTP requests by route, method and status",
                           {{"route", route_}, {"method", method_}, {"status", std::to_string(status)}});
    requests_by_status_[status].store(counter, std::memory_order_release);
  }
  counter->increment();
}

Gateway::Gateway(GatewayServices services)
    : services_(std::move(services)), unmatched_metrics_(services_.metrics, "unmatched", "any") {
  add_order_routes();
  add_refund_routes();
  add_event_routes();
  add_system_routes();
  add_notify_routes();
  add_cashier_routes();
  add_admin_routes();
}

void Gateway::add(std::string method, std::string_view pattern, bool authenticated, RouteHandler handler) {
  add_route(std::move(method), pattern, authenticated ? Access::kMerchant : Access::kPublic,
            std::move(handler));
}

void Gateway::add_admin(std::string method, std::string_view pattern, bool writes, RouteHandler handler) {
  add_route(std::move(method), pattern, writes ? Access::kOperatorWrite : Access::kOperatorRead,
            std::move(handler));
}

void Gateway::add_route(std::string method, std::string_view pattern, Access access, RouteHandler handler) {
  auto metrics = std::make_shared<RouteMetrics>(services_.metrics, std::string(pattern), method);
  router_.add(std::move(method), pattern, RouteSpec{access, std::move(handler), std::move(metrics)});
}

void Gateway::serve_merchant(const std::shared_ptr<RequestContext>& context, const RouteSpec& route,
                             http::Responder reply) {
  const http::Request& request = context->request;
  const std::string_view authorization = request.header("authorization");
  // Operator keys and merchant credentials never cross: each API refuses the other's by name.
  if (authorization.substr(0, 7 + kOperatorKeyPrefix.size()) ==
      fmt::format("Bearer {}", kOperatorKeyPrefix)) {
    return reply(error_response(
        make_error(ErrorCode::kOperatorKeyRejected, "operator keys are not accepted by the merchant API"),
        context->request_id));
  }
  auto proceed = [this, context, &route, reply](Result<Merchant> merchant) {
    if (!merchant.ok()) return reply(error_response(merchant.error(), context->request_id));
    context->merchant = std::move(merchant).value();
    guarded(*context, reply, [&] {
      if (context->request.method == "POST" && !context->request.header("idempotency-key").empty())
        return run_idempotent(context, route, reply);
      route.handler(*context, reply);
    });
  };
  const SignedRequest signed_request{request.method, request.target, authorization, request.body};
  // A shared replay guard answers on its own thread: the rest of the request goes back to the connection's.
  if (services_.authenticator.answers_inline()) {
    services_.authenticator.authenticate(signed_request, std::move(proceed));
  } else {
    services_.authenticator.authenticate(signed_request,
                                         context->on_connection<Merchant>(std::move(proceed)));
  }
}

void Gateway::guarded(const RequestContext& context, const http::Responder& reply,
                      const std::function<void()>& work) {
  try {
    work();
  } catch (const std::exception& e) {
    log::error("handler_threw", {{"request_id", context.request_id}, {"error", e.what()}});
    reply(
        error_response(make_error(ErrorCode::kInternal, "unexpected error; see the log for this request_id"),
                       context.request_id));
  }
}

Status Gateway::authenticate_operator(RequestContext& context, Access access) {
  const std::string_view authorization = context.request.header("authorization");
  auto op = services_.operators->authenticate(authorization);
  if (!op.ok()) return std::move(op).error();
  if (auto allowed = OperatorService::allow(*op, access == Access::kOperatorWrite); !allowed) return allowed;
  context.op = std::move(op).value();
  return {};
}

http::Responder Gateway::instrument(const std::shared_ptr<RequestContext>& context, std::string_view route,
                                    RouteMetrics& metrics, http::Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  return http::Responder([this, context, route, &metrics, respond, started](http::Response response) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    response.headers.emplace_back("x-request-id", context->request_id);
    response.headers.emplace_back("traceparent", context->traceparent);
    const http::Request& request = context->request;
    metrics.record(response.status, seconds);
    if (services_.access_log) {
      log::info("http_request",
                {{"request_id", context->request_id},
                 {"trace_id", std::string_view(context->traceparent).substr(3, 32)},
                 {"method", request.method},
                 {"route", route},
                 {"path", request.path()},
                 {"status", response.status},
                 {"duration_ms", seconds * 1000.0},
                 {"remote", request.remote_address},
                 {"merchant_id", context->merchant ? context->merchant->merchant_id.value : ""},
                 {"operator_id", context->op ? context->op->operator_id : ""}});
    }
    respond(std::move(response));
  });
}

void Gateway::handle(const http::Request& request, http::Responder respond) {
  auto context = std::make_shared<RequestContext>(request);
  const std::string_view incoming_id = request.header("x-request-id");
  context->request_id = is_token(incoming_id, 64) ? std::string(incoming_id) : new_request_id();
  context->traceparent = continue_trace(request.header("traceparent"));

  auto match = router_.match(request.method, request.path());
  const bool matched = match.outcome == http::Router<RouteSpec>::Outcome::kMatched;
  http::Responder reply =
      instrument(context, matched ? match.pattern : std::string_view("unmatched"),
                 matched ? *match.target->metrics : unmatched_metrics_, std::move(respond));
  guarded(*context, reply, [&] {
    if (match.outcome == http::Router<RouteSpec>::Outcome::kNotFound) {
      return reply(error_response(make_error(ErrorCode::kRouteNotFound, "no endpoint at this path"),
                                  context->request_id));
    }
    if (match.outcome == http::Router<RouteSpec>::Outcome::kMethodNotAllowed) {
      return reply(
          error_response(make_error(ErrorCode::kMethodNotAllowed,
                                    fmt::format("{} is not allowed here", request.method.substr(0, 16))),
                         context->request_id));
    }
    const RouteSpec& route = *match.target;
    context->params = std::move(match.params);
    if (route.access == Access::kMerchant) return serve_merchant(context, route, reply);
    if (route.access != Access::kPublic) {
      if (auto status = authenticate_operator(*context, route.access); !status)
        return reply(error_response(status.error(), context->request_id));
    }
    route.handler(*context, reply);
  });
}

void Gateway::run_idempotent(const std::shared_ptr<RequestContext>& context, const RouteSpec& route,
                             http::Responder respond) {
  const http::Request& request = context->request;
  std::string key(request.header("idempotency-key"));
  if (auto status = IdempotencyService::check_key(key); !status) {
    return respond(error_response(status.error(), context->request_id));
  }
  std::string fingerprint = IdempotencyService::fingerprint(request.method, request.target, request.body);
  const RouteHandler& handler = route.handler;
  services_.idempotency.claim(
      context->merchant_id(), key, std::move(fingerprint),
      context->on_connection<IdempotencyDecision>([this, context, key, &handler,
                                                   respond](Result<IdempotencyDecision> decision) {
        if (!decision.ok()) return respond(error_response(decision.error(), context->request_id));
        switch (decision->verdict) {
          case IdempotencyVerdict::kReplay: {
            http::Response replay;
            replay.status = decision->status_code;
            replay.body = std::move(decision->response_body);
            replay.headers.emplace_back("idempotent-replayed", "true");
            return respond(std::move(replay));
          }
          case IdempotencyVerdict::kFingerprintMismatch:
            return respond(
                error_response(make_error(ErrorCode::kIdempotencyKeyReused,
                                          "Idempotency-Key was first used with a different request"),
                               context->request_id));
          case IdempotencyVerdict::kInProgress:
            return respond(error_response(make_error(ErrorCode::kIdempotencyKeyInUse,
                                                     "a request with this Idempotency-Key is still running"),
                                          context->request_id));
          case IdempotencyVerdict::kProceed:
            break;
        }
        // Answer only once the response is stored, so a retry after our answer always replays it.
        handler(*context, http::Responder([this, context, key, respond](http::Response response) {
          auto stored_body = response.body;
          const int status = response.status;
          services_.idempotency.finish(
              context->merchant_id(), key, status, std::move(stored_body),
              context->on_connection<bool>([respond, response = std::move(response)](Result<bool>) mutable {
                respond(std::move(response));
              }));
        }));
      }));
}

}  // namespace paygate::api
