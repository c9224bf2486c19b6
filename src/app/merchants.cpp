#include "app/merchants.h"

#include "core/text.h"
#include "crypto/random_ids.h"

namespace paygate {

namespace {

AuditEntry audit_of(std::string actor, std::string action, const MerchantId& merchant_id,
                    std::int64_t at_ms) {
  AuditEntry entry;
  entry.at_ms = at_ms;
  entry.operator_id = std::move(actor);
  entry.action = std::move(action);
  entry.target = "merchant:" + merchant_id.value;
  return entry;
}

}  // namespace

void MerchantService::create(const std::string& name, Completion<Merchant> done, std::string actor) {
  const auto length = utf8_length(name);
  if (!length || *length < 1 || *length > 64 || has_control_characters(name)) {
    return done(make_error(ErrorCode::kInvalidParameter, "name: must be 1-64 characters of valid UTF-8"));
  }
  Merchant merchant{new_merchant_id(),   name, new_merchant_secret(), true, clock_.now_unix_ms(),
                    new_webhook_secret()};
  AuditEntry audit =
      audit_of(std::move(actor), "merchant.create", merchant.merchant_id, merchant.created_at_ms);
  store_.create_merchant_audited(std::move(merchant), std::move(audit), std::move(done));
}

void MerchantService::rotate_webhook_secret(const MerchantId& merchant_id, Completion<Merchant> done,
                                            std::string actor) {
  AuditEntry audit =
      audit_of(std::move(actor), "merchant.rotate_webhook_secret", merchant_id, clock_.now_unix_ms());
  store_.change_merchant(MerchantChange{merchant_id, std::nullopt, std::nullopt, new_webhook_secret()},
                         std::move(audit), std::move(done));
}

}  // namespace paygate
