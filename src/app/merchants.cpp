#include "app/merchants.h"

#include "core/text.h"

namespace paygate {

void MerchantService::create(const std::string& name, Completion<Merchant> done) {
  const auto length = utf8_length(name);
  if (!length || *length < 1 || *length > 64 || has_control_characters(name)) {
    return done(make_error(ErrorCode::kInvalidParameter, "name: must be 1-64 characters of valid UTF-8"));
  }
  Merchant merchant{new_merchant_id(),   name, new_merchant_secret(), true, clock_.now_unix_ms(),
                    new_webhook_secret()};
  store_.create_merchant(std::move(merchant), std::move(done));
}

void MerchantService::rotate_webhook_secret(const MerchantId& merchant_id, Completion<Merchant> done) {
  store_.set_webhook_secret(merchant_id, new_webhook_secret(), std::move(done));
}

}  // namespace paygate
