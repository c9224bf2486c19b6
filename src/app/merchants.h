// Merchant use cases: create a merchant with fresh credentials (the secrets are shown to its owner once),
// enable or disable it, rotate its API or webhook secret. Every write is audited in the same store command,
// naming who made it: an operator (through /admin/v1, with its request), "cli" (an operator at the shell) or
// "system" (the demo merchant, webhook secrets for merchants from before webhooks).
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"
#include "ports/merchant_store.h"

namespace paygate {

struct Actor {
  std::string operator_id;  // an operator's id, "cli" or "system"
  std::string request_id;   // the API request behind the write; "" from the shell
};

// 1-64 characters of valid UTF-8 without control characters: merchant and operator names.
Status check_display_name(std::string_view name);

class MerchantService {
 public:
  MerchantService(MerchantStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // The returned merchant carries its secrets.
  void create(const std::string& name, Actor actor, Completion<Merchant> done);
  Result<std::vector<Merchant>> list() { return store_.list_merchants(); }
  // MERCHANT_NOT_FOUND for an id no merchant has.
  void set_enabled(const MerchantId& merchant_id, bool enabled, Actor actor, Completion<Merchant> done);
  void rotate_secret(const MerchantId& merchant_id, Actor actor, Completion<Merchant> done);
  void rotate_webhook_secret(const MerchantId& merchant_id, Actor actor, Completion<Merchant> done);

 private:
  AuditEntry audit(Actor actor, std::string action, const MerchantId& merchant_id) const;
  void change(MerchantChange change, Actor actor, std::string action, Completion<Merchant> done);

  MerchantStore& store_;
  const Clock& clock_;
};

}  // namespace paygate
