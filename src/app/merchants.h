// Merchant use cases from the command line and at start: create a merchant with fresh credentials (the secret
// is shown to its owner once) and rotate its webhook secret. Each is audited like an operator API write, with
// the actor "cli" (an operator at the shell) or "system" (the demo merchant, webhook secrets for old
// merchants).
#pragma once

#include <string>

#include "core/time.h"
#include "ports/merchant_store.h"

namespace paygate {

class MerchantService {
 public:
  MerchantService(MerchantStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // name: 1-64 characters of valid UTF-8. The returned merchant carries its secret.
  void create(const std::string& name, Completion<Merchant> done, std::string actor = "cli");
  Result<std::vector<Merchant>> list() { return store_.list_merchants(); }
  // A fresh webhook signing secret (merchants from before webhooks existed get their first one this way).
  void rotate_webhook_secret(const MerchantId& merchant_id, Completion<Merchant> done,
                             std::string actor = "cli");

 private:
  MerchantStore& store_;
  const Clock& clock_;
};

}  // namespace paygate
