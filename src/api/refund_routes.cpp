// The merchant refunds API and the merchant's view of the ledger (balance, transfers).
#include "api/envelope.h"
#include "api/gateway.h"
#include "api/refund_json.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

json refunds_json(const std::vector<Refund>& refunds) {
  json items = json::array();
  for (const Refund& refund : refunds) items.push_back(refund_to_json(refund));
  return json{{"refunds", std::move(items)}};
}

}  // namespace

void Gateway::add_refund_routes() {
  RefundService& refunds = services_.refunds;

  add("POST", "/api/v1/orders/{order_id}/refunds", true,
      [&refunds](const RequestContext& context, http::Responder reply) {
        auto input = parse_create_refund(context.request.body);
        if (!input.ok()) return reply(error_response(input.error(), context.request_id));
        refunds.create(context.merchant_id(), context.param("order_id"), *input,
                       context.on_connection<CreatedRefund>(
                           [reply, request_id = context.request_id](Result<CreatedRefund> created) {
                             if (!created.ok()) return reply(error_response(created.error(), request_id));
                             reply(ok_response(created->created ? 201 : 200, refund_to_json(created->refund),
                                               request_id));
                           }));
      });

  add("GET", "/api/v1/orders/{order_id}/refunds", true,
      [&refunds](const RequestContext& context, http::Responder reply) {
        auto list = refunds.list_for_order(context.merchant_id(), context.param("order_id"));
        if (!list.ok()) return reply(error_response(list.error(), context.request_id));
        reply(ok_response(200, refunds_json(*list), context.request_id));
      });

  add("GET", "/api/v1/refunds/{refund_id}", true,
      [&refunds](const RequestContext& context, http::Responder reply) {
        if (http::query_param(context.request.query(), "sync") == "true") {
          return refunds.sync(
              context.merchant_id(), context.param("refund_id"),
              context.on_connection<Refund>([reply, request_id = context.request_id](Result<Refund> refund) {
                if (!refund.ok()) return reply(error_response(refund.error(), request_id));
                reply(ok_response(200, refund_to_json(*refund), request_id));
              }));
        }
        auto refund = refunds.get(context.merchant_id(), context.param("refund_id"));
        if (!refund.ok()) return reply(error_response(refund.error(), context.request_id));
        reply(ok_response(200, refund_to_json(*refund), context.request_id));
      });

  add("GET", "/api/v1/refunds", true, [&refunds](const RequestContext& context, http::Responder reply) {
    auto out_refund_no = http::query_param(context.request.query(), "out_refund_no");
    if (!out_refund_no) {
      return reply(error_response(make_error(ErrorCode::kInvalidParameter, "out_refund_no: is required"),
                                  context.request_id));
    }
    auto refund = refunds.get_by_out_refund_no(context.merchant_id(), *out_refund_no);
    if (!refund.ok()) return reply(error_response(refund.error(), context.request_id));
    reply(ok_response(200, refund_to_json(*refund), context.request_id));
  });

  LedgerQueries& ledger = services_.ledger;
  add("GET", "/api/v1/balance", true, [&ledger](const RequestContext& context, http::Responder reply) {
    auto balance = ledger.balance(context.merchant_id());
    if (!balance.ok()) return reply(error_response(balance.error(), context.request_id));
    reply(ok_response(200, balance_to_json(*balance), context.request_id));
  });

  add("GET", "/api/v1/ledger/transfers", true,
      [&ledger](const RequestContext& context, http::Responder reply) {
        const std::string_view query = context.request.query();
        auto transfers = ledger.transfers(context.merchant_id(), http::query_param(query, "order_id"),
                                          http::query_param(query, "refund_id"));
        if (!transfers.ok()) return reply(error_response(transfers.error(), context.request_id));
        json items = json::array();
        for (const StoredTransfer& transfer : *transfers) items.push_back(transfer_to_json(transfer));
        reply(ok_response(200, json{{"transfers", std::move(items)}}, context.request_id));
      });
}

}  // namespace paygate::api
