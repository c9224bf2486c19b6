// The operator API under /admin/v1 (DESIGN §10): merchants, channel accounts and the audit log. Operator keys
// only; a viewer reads, an admin writes, and every write is audited in the same store command.
#include "api/envelope.h"
#include "api/gateway.h"
#include "core/time.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

json merchant_to_json(const Merchant& merchant) { return json::parse(merchant_public_json(merchant)); }

Result<std::string> parse_merchant_name(std::string_view body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return make_error(ErrorCode::kInvalidJson, "body: must be a JSON object");
  for (const auto& [key, value] : parsed.items()) {
    if (key != "name") return make_error(ErrorCode::kInvalidParameter, key.substr(0, 64) + ": unknown field");
  }
  if (!parsed.contains("name") || !parsed["name"].is_string())
    return make_error(ErrorCode::kInvalidParameter, "name: is required (a string)");
  return parsed["name"].get<std::string>();
}

json audit_to_json(const AuditEntry& entry) {
  return json{{"audit_id", entry.audit_id},
              {"at", format_rfc3339_ms(entry.at_ms)},
              {"operator_id", entry.operator_id},
              {"action", entry.action},
              {"target", entry.target},
              {"before", json::parse(entry.before_json, nullptr, false)},
              {"after", json::parse(entry.after_json, nullptr, false)},
              {"request_id", entry.request_id}};
}

// A merchant answered after a write; `shown` adds secrets made by this write (shown this once).
auto merchant_reply(http::Responder reply, std::string request_id, int status, bool show_secret,
                    bool show_webhook_secret) {
  return [reply, request_id = std::move(request_id), status, show_secret,
          show_webhook_secret](Result<Merchant> merchant) {
    if (!merchant.ok()) return reply(error_response(merchant.error(), request_id));
    json out = merchant_to_json(*merchant);
    if (show_secret) out["secret"] = merchant->secret;
    if (show_webhook_secret) out["webhook_secret"] = merchant->webhook_secret;
    reply(ok_response(status, out, request_id));
  };
}

Actor actor_of(const RequestContext& context) { return Actor{context.op->operator_id, context.request_id}; }

}  // namespace

void Gateway::add_admin_routes() {
  if (services_.operators == nullptr) return;
  OperatorService& operators = *services_.operators;

  add_admin("POST", "/admin/v1/merchants", true,
            [&operators](const RequestContext& context, http::Responder reply) {
              auto name = parse_merchant_name(context.request.body);
              if (!name.ok()) return reply(error_response(name.error(), context.request_id));
              operators.merchants().create(*name, actor_of(context),
                                           context.on_connection<Merchant>(
                                               merchant_reply(reply, context.request_id, 201, true, true)));
            });

  add_admin("GET", "/admin/v1/merchants", false,
            [&operators](const RequestContext& context, http::Responder reply) {
              auto merchants = operators.merchants().list();
              if (!merchants.ok()) return reply(error_response(merchants.error(), context.request_id));
              json items = json::array();
              for (const Merchant& merchant : *merchants) items.push_back(merchant_to_json(merchant));
              reply(ok_response(200, json{{"merchants", std::move(items)}}, context.request_id));
            });

  add_admin("GET", "/admin/v1/merchants/{merchant_id}", false,
            [&operators](const RequestContext& context, http::Responder reply) {
              auto merchant = operators.get_merchant(context.param("merchant_id"));
              if (!merchant.ok()) return reply(error_response(merchant.error(), context.request_id));
              reply(ok_response(200, merchant_to_json(*merchant), context.request_id));
            });

  for (const bool enable : {false, true}) {
    add_admin(
        "POST",
        enable ? "/admin/v1/merchants/{merchant_id}/enable" : "/admin/v1/merchants/{merchant_id}/disable",
        true, [&operators, enable](const RequestContext& context, http::Responder reply) {
          operators.merchants().set_enabled(
              MerchantId{std::string(context.param("merchant_id"))}, enable, actor_of(context),
              context.on_connection<Merchant>(merchant_reply(reply, context.request_id, 200, false, false)));
        });
  }

  add_admin(
      "POST", "/admin/v1/merchants/{merchant_id}/rotate-secret", true,
      [&operators](const RequestContext& context, http::Responder reply) {
        operators.merchants().rotate_secret(
            MerchantId{std::string(context.param("merchant_id"))}, actor_of(context),
            context.on_connection<Merchant>(merchant_reply(reply, context.request_id, 200, true, false)));
      });

  add_admin(
      "POST", "/admin/v1/merchants/{merchant_id}/rotate-webhook-secret", true,
      [&operators](const RequestContext& context, http::Responder reply) {
        operators.merchants().rotate_webhook_secret(
            MerchantId{std::string(context.param("merchant_id"))}, actor_of(context),
            context.on_connection<Merchant>(merchant_reply(reply, context.request_id, 200, false, true)));
      });

  add_admin("GET", "/admin/v1/channel-accounts", false,
            [&operators](const RequestContext& context, http::Responder reply) {
              json items = json::array();
              for (const ChannelAccountSummary& account : operators.channel_accounts()) {
                items.push_back({{"channel_account_id", account.channel_account_id},
                                 {"channel", to_string(account.channel)},
                                 {"state", account.enabled ? "enabled" : "disabled"},
                                 {"sandbox", account.sandbox}});
              }
              reply(ok_response(200, json{{"channel_accounts", std::move(items)}}, context.request_id));
            });

  add_admin("GET", "/admin/v1/audit", false,
            [&operators](const RequestContext& context, http::Responder reply) {
              const std::string_view query = context.request.query();
              auto page =
                  operators.list_audit(http::query_param(query, "limit"), http::query_param(query, "cursor"));
              if (!page.ok()) return reply(error_response(page.error(), context.request_id));
              json items = json::array();
              for (const AuditEntry& entry : page->entries) items.push_back(audit_to_json(entry));
              const json next_cursor = page->has_more && !page->entries.empty()
                                           ? json(std::to_string(page->entries.back().audit_id))
                                           : json(nullptr);
              reply(ok_response(200, json{{"entries", std::move(items)}, {"next_cursor", next_cursor}},
                                context.request_id));
            });
}

}  // namespace paygate::api
