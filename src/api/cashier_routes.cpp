// The public cashier: GET /pay/{order_id} (the page), its state as JSON, its live state as Server-Sent
// Events, choosing a channel, and paying in the sandbox. The unguessable order id is the only credential, so
// nothing beyond amount, subject and status is shown.
#include "api/envelope.h"
#include "api/gateway.h"
#include "api/qr_svg.h"
#include "api/web_assets.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

json cashier_state(const Order& order, CashierService& cashier) {
  json channels = json::array();
  for (Channel channel : cashier.available_channels()) channels.push_back(to_string(channel));
  const bool scan = order.method == "qr" || order.method == "native";
  json state = {{"order_id", order.order_id.value},
                {"subject", order.subject},
                {"amount", order.amount.minor},
                {"amount_yuan", format_decimal(order.amount)},
                {"currency", currency_code(order.amount.currency)},
                {"status", to_string(order.status)},
                {"channel", order.channel ? json(to_string(*order.channel)) : json(nullptr)},
                {"method", order.method.empty() ? json(nullptr) : json(order.method)},
                {"qr_svg", nullptr},
                {"pay_url", nullptr},
                {"channels", channels},
                {"sandbox", cashier.sandbox()}};
  if (!order.payment_url.empty() && order.status == OrderStatus::kPending) {
    if (scan) {
      if (auto svg = qr::svg(order.payment_url)) state["qr_svg"] = *svg;
    } else if (order.method == "page" || order.method == "wap") {
      state["pay_url"] = order.payment_url;  // jsapi pays inside WeChat's own page, not from here
    }
  }
  return state;
}

}  // namespace

void Gateway::add_cashier_routes() {
  CashierService* cashier = services_.cashier;
  if (cashier == nullptr) return;

  add("GET", "/pay/{order_id}", false, [cashier](const RequestContext& context, http::Responder reply) {
    auto order = cashier->find(context.param("order_id"));
    if (!order.ok()) return reply(error_response(order.error(), context.request_id));
    http::Response page;
    page.content_type = "text/html; charset=utf-8";
    page.body = std::string(web_asset("cashier.html").value_or("cashier page missing"));
    page.headers.emplace_back(
        "content-security-policy",
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:");
    page.headers.emplace_back("x-frame-options", "DENY");
    reply(std::move(page));
  });

  add("GET", "/pay/{order_id}/state", false, [cashier](const RequestContext& context, http::Responder reply) {
    auto order = cashier->find(context.param("order_id"));
    if (!order.ok()) return reply(error_response(order.error(), context.request_id));
    reply(ok_response(200, cashier_state(*order, *cashier), context.request_id));
  });

  add("GET", "/pay/{order_id}/events", false,
      [cashier](const RequestContext& context, http::Responder reply) {
        auto order = cashier->find(context.param("order_id"));
        if (!order.ok()) return reply(error_response(order.error(), context.request_id));
        auto stream = std::make_shared<http::EventStream>();
        std::weak_ptr<http::EventStream> weak = stream;
        const OrderId order_id = order->order_id;
        const std::uint64_t token =
            cashier->events().subscribe(order_id, [weak, cashier](const Order& changed) {
              if (auto live = weak.lock()) live->push("state", cashier_state(changed, *cashier).dump());
            });
        stream->on_finish([cashier, order_id, token] { cashier->events().unsubscribe(order_id, token); });
        // The current state first, so a page that connects late is never behind.
        stream->push("state", cashier_state(*order, *cashier).dump());
        http::Response response;
        response.stream = std::move(stream);
        reply(std::move(response));
      });

  add("POST", "/pay/{order_id}/channel", false,
      [cashier](const RequestContext& context, http::Responder reply) {
        const json body = json::parse(context.request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.value("channel", json()).is_string() ||
            !body.value("method", json()).is_string()) {
          return reply(error_response(
              make_error(ErrorCode::kInvalidParameter, "body: needs string channel and method"),
              context.request_id));
        }
        cashier->choose(context.param("order_id"), body["channel"], body["method"],
                        context.on_connection<Order>(
                            [reply, cashier, request_id = context.request_id](Result<Order> order) {
                              if (!order.ok()) return reply(error_response(order.error(), request_id));
                              reply(ok_response(200, cashier_state(*order, *cashier), request_id));
                            }));
      });

  add("POST", "/pay/{order_id}/sandbox-pay", false,
      [cashier](const RequestContext& context, http::Responder reply) {
        cashier->pay_in_sandbox(context.param("order_id"),
                                context.on_connection<Order>(
                                    [reply, cashier, request_id = context.request_id](Result<Order> order) {
                                      if (!order.ok())
                                        return reply(error_response(order.error(), request_id));
                                      reply(ok_response(200, cashier_state(*order, *cashier), request_id));
                                    }));
      });
}

}  // namespace paygate::api
