// The merchant orders API: create, read, find by out_trade_no, list and close.
#include "api/envelope.h"
#include "api/gateway.h"
#include "api/order_json.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

bool is_empty_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
  const json parsed = json::parse(body, nullptr, false);
  return !parsed.is_discarded() && parsed.is_object() && parsed.empty();
}

}  // namespace

void Gateway::add_order_routes() {
  OrderService& orders = services_.orders;
  const std::string base_url = services_.public_base_url;

  add("POST", "/api/v1/orders", true,
      [&orders, base_url](const RequestContext& context, http::Responder reply) {
        auto input = parse_create_order(context.request.body);
        if (!input.ok()) return reply(error_response(input.error(), context.request_id));
        orders.create(context.merchant_id(), *input,
                      context.on_connection<CreatedOrder>(
                          [reply, base_url, request_id = context.request_id](Result<CreatedOrder> created) {
                            if (!created.ok()) return reply(error_response(created.error(), request_id));
                            reply(ok_response_text(created->created ? 201 : 200,
                                                   order_json_text(created->order, base_url), request_id));
                          }));
      });

  add("GET", "/api/v1/orders/{order_id}", true,
      [&orders, base_url](const RequestContext& context, http::Responder reply) {
        if (http::query_param(context.request.query(), "sync") == "true") {
          // Ask the channel first (a lost notify must not leave the order stuck), then answer.
          return orders.sync(context.merchant_id(), context.param("order_id"),
                             context.on_connection<Order>([reply, base_url, request_id = context.request_id](
                                                              Result<Order> order) {
                               if (!order.ok()) return reply(error_response(order.error(), request_id));
                               reply(ok_response_text(200, order_json_text(*order, base_url), request_id));
                             }));
        }
        auto order = orders.get(context.merchant_id(), context.param("order_id"));
        if (!order.ok()) return reply(error_response(order.error(), context.request_id));
        reply(ok_response_text(200, order_json_text(*order, base_url), context.request_id));
      });

  add("GET", "/api/v1/orders", true,
      [&orders, base_url](const RequestContext& context, http::Responder reply) {
        const std::string_view query = context.request.query();
        if (auto out_trade_no = http::query_param(query, "out_trade_no")) {
          auto order = orders.get_by_out_trade_no(context.merchant_id(), *out_trade_no);
          if (!order.ok()) return reply(error_response(order.error(), context.request_id));
          return reply(ok_response(200, order_to_json(*order, base_url), context.request_id));
        }
        ListOrdersInput input{http::query_param(query, "status"), http::query_param(query, "created_after"),
                              http::query_param(query, "limit"), http::query_param(query, "cursor")};
        auto page = orders.list(context.merchant_id(), input);
        if (!page.ok()) return reply(error_response(page.error(), context.request_id));
        json items = json::array();
        for (const Order& order : page->orders) items.push_back(order_to_json(order, base_url));
        const json next_cursor = page->has_more && !page->orders.empty()
                                     ? json(page->orders.back().order_id.value)
                                     : json(nullptr);
        reply(ok_response(200, json{{"orders", std::move(items)}, {"next_cursor", next_cursor}},
                          context.request_id));
      });

  add("POST", "/api/v1/orders/{order_id}/close", true,
      [&orders, base_url](const RequestContext& context, http::Responder reply) {
        if (!is_empty_object(context.request.body)) {
          return reply(
              error_response(make_error(ErrorCode::kInvalidParameter, "body: must be empty or {} for close"),
                             context.request_id));
        }
        orders.close(
            context.merchant_id(), context.param("order_id"),
            context.on_connection<OrderEventOutcome>(
                [reply, base_url, request_id = context.request_id](Result<OrderEventOutcome> outcome) {
                  if (!outcome.ok()) return reply(error_response(outcome.error(), request_id));
                  reply(ok_response(200, order_to_json(outcome->order, base_url), request_id));
                }));
      });
}

}  // namespace paygate::api
