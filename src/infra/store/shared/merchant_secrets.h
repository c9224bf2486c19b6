// Merchant secrets as every store keeps them: sealed by the master key (crypto/secret_box.h), bound to their
// row and column so a sealed value opens only where it was written.
#pragma once

#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/result.h"
#include "crypto/secret_box.h"

namespace paygate::store_rows {

// "" stays "" (no secret set).
std::string seal_merchant_secret(const crypto::SecretBox& box, std::string_view column, const MerchantId& id,
                                 const std::string& secret);
// A stored value that does not open is a bug or a missing master key: the caller refuses the row.
Result<std::string> open_merchant_secret(const crypto::SecretBox& box, std::string_view column,
                                         const MerchantId& id, const std::string& stored);
// Whether a stored value must be (re)sealed: plain text always; with plaintext_only false, also a value
// sealed by another key than the one that seals now.
bool needs_sealing(const crypto::SecretBox& box, const std::string& stored, bool plaintext_only);
// The plain secret of a stored value, sealed or (from before sealing) plain.
Result<std::string> plain_merchant_secret(const crypto::SecretBox& box, std::string_view column,
                                          const MerchantId& id, const std::string& stored);

}  // namespace paygate::store_rows
