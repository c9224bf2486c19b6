#include "app/merchants.h"

#include "app/input_checks.h"
#include "core/text.h"
#include "crypto/random_ids.h"

namespace paygate {

Status check_display_name(std::string_view name) {
  const auto length = utf8_length(name);
  if (!length || *length < 1 || *length > 64 || has_control_characters(name))
    return invalid_field("name", "must be 1-64 characters of valid UTF-8");
  return {};
}

AuditEntry MerchantService::audit(Actor actor, std::string action, const MerchantId& merchant_id) const {
  AuditEntry entry;
  entry.at_ms = clock_.now_unix_ms();
  entry.operator_id = std::move(actor.operator_id);
  entry.request_id = std::move(actor.request_id);
  entry.action = std::move(action);
  entry.target = "merchant:" + merchant_id.value;
  return entry;
}

void MerchantService::create(const std::string& name, Actor actor, Completion<Merchant> done) {
  if (auto status = check_display_name(name); !status) return done(std::move(status).error());
  Merchant merchant{new_merchant_id(),   name, new_merchant_secret(), true, clock_.now_unix_ms(),
                    new_webhook_secret()};
  AuditEntry entry = audit(std::move(actor), "merchant.create", merchant.merchant_id);
  store_.create_merchant_audited(std::move(merchant), std::move(entry), std::move(done));
}

void MerchantService::change(MerchantChange change, Actor actor, std::string action,
                             Completion<Merchant> done) {
  if (!is_token(change.merchant_id.value, 64))
    return done(make_error(ErrorCode::kMerchantNotFound, "merchant_id: no such merchant"));
  AuditEntry entry = audit(std::move(actor), std::move(action), change.merchant_id);
  store_.change_merchant(std::move(change), std::move(entry), std::move(done));
}

void MerchantService::set_enabled(const MerchantId& merchant_id, bool enabled, Actor actor,
                                  Completion<Merchant> done) {
  change(MerchantChange{merchant_id, enabled, std::nullopt, std::nullopt}, std::move(actor),
         enabled ? "merchant.enable" : "merchant.disable", std::move(done));
}

void MerchantService::rotate_secret(const MerchantId& merchant_id, Actor actor, Completion<Merchant> done) {
  change(MerchantChange{merchant_id, std::nullopt, new_merchant_secret(), std::nullopt}, std::move(actor),
         "merchant.rotate_secret", std::move(done));
}

void MerchantService::rotate_webhook_secret(const MerchantId& merchant_id, Actor actor,
                                            Completion<Merchant> done) {
  change(MerchantChange{merchant_id, std::nullopt, std::nullopt, new_webhook_secret()}, std::move(actor),
         "merchant.rotate_webhook_secret", std::move(done));
}

}  // namespace paygate
