#include "infra/store/shared/merchant_secrets.h"

namespace paygate::store_rows {
namespace {

std::string place(std::string_view column, const MerchantId& merchant_id) {
  return std::string("merchants.").append(column).append(":").append(merchant_id.value);
}

}  // namespace

std::string seal_merchant_secret(const crypto::SecretBox& box, std::string_view column, const MerchantId& id,
                                 const std::string& secret) {
  return secret.empty() ? std::string() : box.seal(secret, place(column, id));
}

Result<std::string> open_merchant_secret(const crypto::SecretBox& box, std::string_view column,
                                         const MerchantId& id, const std::string& stored) {
  if (stored.empty()) return stored;
  auto opened = box.open(stored, place(column, id));
  if (!opened.ok())
    return make_error(ErrorCode::kInternal, "merchant " + id.value + ": " + opened.error().message);
  return opened;
}

bool needs_sealing(const crypto::SecretBox& box, const std::string& stored, bool plaintext_only) {
  if (stored.empty()) return false;
  if (!crypto::SecretBox::is_sealed(stored)) return true;
  return !plaintext_only && crypto::SecretBox::key_id_of(stored) != box.sealing_key_id();
}

Result<std::string> plain_merchant_secret(const crypto::SecretBox& box, std::string_view column,
                                          const MerchantId& id, const std::string& stored) {
  if (!crypto::SecretBox::is_sealed(stored)) return stored;
  return open_merchant_secret(box, column, id, stored);
}

}  // namespace paygate::store_rows
