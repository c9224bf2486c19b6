// Operational endpoints: liveness, readiness and Prometheus metrics. None needs authentication.
#include "api/envelope.h"
#include "api/gateway.h"
#include "nlohmann/json.hpp"

namespace paygate::api {

void Gateway::add_system_routes() {
  add("GET", "/healthz", false, [](const RequestContext& context, http::Responder reply) {
    reply(ok_response(200, nlohmann::json{{"status", "alive"}}, context.request_id));
  });

  add("GET", "/readyz", false, [this](const RequestContext& context, http::Responder reply) {
    if (services_.ready && !services_.ready()) {
      return reply(error_response(
          make_error(ErrorCode::kShuttingDown, "not ready: shutting down or store unavailable"),
          context.request_id));
    }
    reply(ok_response(200, nlohmann::json{{"status", "ready"}}, context.request_id));
  });

  add("GET", "/metrics", false, [this](const RequestContext&, http::Responder reply) {
    http::Response response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = services_.metrics.render();
    reply(std::move(response));
  });
}

}  // namespace paygate::api
