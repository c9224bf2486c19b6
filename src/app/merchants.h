// Merchant use cases: create a merchant with fresh credentials (the secret is shown to its owner once).
#pragma once

#include <string>

#include "core/time.h"
#include "ports/store.h"

namespace paygate {

class MerchantService {
 public:
  MerchantService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // name: 1-64 characters of valid UTF-8. The returned merchant carries its secret.
  void create(const std::string& name, Completion<Merchant> done);
  Result<std::vector<Merchant>> list() { return store_.list_merchants(); }
  // A fresh webhook signing secret (merchants from before webhooks existed get their first one this way).
  void rotate_webhook_secret(const MerchantId& merchant_id, Completion<Merchant> done);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace paygate
