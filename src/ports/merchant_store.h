// Merchants and the platform's operators: credentials sealed at rest, operator writes audited in the same
// command (the Store port, DESIGN §6).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/merchant.h"
#include "ports/completion.h"

namespace paygate {

// An operator's change to a merchant: each field that is set is applied, in one command with its audit
// entry (whose before/after the store fills with the merchant's public view).
struct MerchantChange {
  MerchantId merchant_id;
  std::optional<bool> enabled;
  std::optional<std::string> secret;          // a new API secret (its version counts up)
  std::optional<std::string> webhook_secret;  // a new webhook secret (its version counts up)
};

// Newest first; `before_audit_id` is the cursor: the last entry of the previous page.
struct AuditQuery {
  std::optional<std::int64_t> before_audit_id;
  std::uint32_t limit = 50;
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  bool has_more = false;
};

class MerchantStore {
 public:
  virtual ~MerchantStore() = default;

  virtual void create_merchant(Merchant merchant, Completion<Merchant> done) = 0;
  virtual Result<std::optional<Merchant>> find_merchant(const MerchantId& merchant_id) = 0;
  virtual Result<std::vector<Merchant>> list_merchants() = 0;
  virtual void set_webhook_secret(MerchantId merchant_id, std::string secret, Completion<Merchant> done) = 0;
  // Operator writes: the change and its audit entry in one command. MERCHANT_NOT_FOUND for an unknown id.
  virtual void create_merchant_audited(Merchant merchant, AuditEntry audit, Completion<Merchant> done) = 0;
  virtual void change_merchant(MerchantChange change, AuditEntry audit, Completion<Merchant> done) = 0;
  // Re-seals every stored secret under the master key that seals now, in one command; returns how many.
  virtual void reseal_secrets(Completion<std::int64_t> done) = 0;
  // The master key ids that stored secrets are sealed with (rotation checks none is left on an old one).
  virtual Result<std::vector<std::string>> list_sealing_key_ids() = 0;

  // Operators, stored with their key's SHA-256 (hex) only.
  virtual void create_operator(Operator op, std::string key_sha256_hex, Completion<Operator> done) = 0;
  virtual Result<std::optional<Operator>> find_operator_by_key(const std::string& key_sha256_hex) = 0;
  virtual Result<AuditPage> list_audit(const AuditQuery& query) = 0;
};

}  // namespace paygate
