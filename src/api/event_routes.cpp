// The merchant events API: list events with their delivery state, resend one.
#include "api/envelope.h"
#include "api/gateway.h"
#include "core/time.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

json event_to_json(const OutboxEvent& event) {
  json payload = json::parse(event.payload, nullptr, false);
  return json{
      {"event_id", event.event_id},
      {"type", event.type},
      {"order_id", event.order_id.value},
      {"created_at", format_rfc3339_ms(event.created_at_ms)},
      {"notify_url", event.notify_url.empty() ? json(nullptr) : json(event.notify_url)},
      {"delivery",
       {{"status", to_string(event.status)},
        {"attempts", event.attempts},
        {"next_attempt_at", event.status == DeliveryStatus::kPending
                                ? json(format_rfc3339_ms(event.next_attempt_at_ms))
                                : json(nullptr)},
        {"last_http_status", event.last_http_status == 0 ? json(nullptr) : json(event.last_http_status)},
        {"last_error", event.last_error.empty() ? json(nullptr) : json(event.last_error)},
        {"delivered_at",
         event.delivered_at_ms > 0 ? json(format_rfc3339_ms(event.delivered_at_ms)) : json(nullptr)}}},
      {"body", payload.is_discarded() ? json(nullptr) : std::move(payload)},
  };
}

}  // namespace

void Gateway::add_event_routes() {
  MerchantEvents& events = services_.events;

  add("GET", "/api/v1/events", true, [&events](const RequestContext& context, http::Responder reply) {
    const std::string_view query = context.request.query();
    ListEventsInput input{http::query_param(query, "order_id"), http::query_param(query, "status"),
                          http::query_param(query, "limit"), http::query_param(query, "cursor")};
    auto page = events.list(context.merchant_id(), input);
    if (!page.ok()) return reply(error_response(page.error(), context.request_id));
    json items = json::array();
    for (const OutboxEvent& event : page->events) items.push_back(event_to_json(event));
    const json next_cursor =
        page->has_more && !page->events.empty() ? json(page->events.back().event_id) : json(nullptr);
    reply(ok_response(200, json{{"events", std::move(items)}, {"next_cursor", next_cursor}},
                      context.request_id));
  });

  add("POST", "/api/v1/events/{event_id}/resend", true,
      [&events](const RequestContext& context, http::Responder reply) {
        events.resend(context.merchant_id(), context.param("event_id"),
                      context.on_connection<OutboxEvent>(
                          [reply, request_id = context.request_id](Result<OutboxEvent> event) {
                            if (!event.ok()) return reply(error_response(event.error(), request_id));
                            reply(ok_response(200, event_to_json(*event), request_id));
                          }));
      });
}

}  // namespace paygate::api
