// The platform operator's side (DESIGN §10): operator keys (made by `paygate operator create`, shown once,
// stored only as SHA-256), their authentication on /admin/v1, and the operator's merchant management. Every
// write carries its audit entry into the same store command as the change.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/channel.h"
#include "ports/merchant_store.h"

namespace paygate {

inline constexpr std::string_view kOperatorKeyPrefix = "pgop_";

// A configured channel account as the operator sees it (no keys).
struct ChannelAccountSummary {
  std::string channel_account_id;
  Channel channel = Channel::kAlipay;
  bool enabled = true;
  bool sandbox = false;  // the in-process sandbox's own account
};

struct NewOperator {
  Operator op;
  std::string key;  // "pgop_" + 43 base62 characters; shown once
};

class OperatorService {
 public:
  OperatorService(MerchantStore& store, const Clock& clock, std::vector<ChannelAccountSummary> accounts = {});

  // name: 1-64 characters of valid UTF-8.
  void create_operator(const std::string& name, OperatorRole role, Completion<NewOperator> done);

  // The operator behind an Authorization header. Distinct failures: AUTH_MISSING,
  // MERCHANT_CREDENTIAL_REJECTED (a merchant signature sent here), OPERATOR_KEY_INVALID. Known keys are
  // cached for a few seconds.
  Result<Operator> authenticate(std::string_view authorization);
  static Status allow(const Operator& op, bool writes);  // OPERATOR_FORBIDDEN when a viewer writes

  // Operator writes; request_id goes into the audit entry. create answers the merchant with its secrets.
  void create_merchant(const Operator& op, std::string_view request_id, const std::string& name,
                       Completion<Merchant> done);
  void set_merchant_enabled(const Operator& op, std::string_view request_id, std::string_view merchant_id,
                            bool enabled, Completion<Merchant> done);
  void rotate_secret(const Operator& op, std::string_view request_id, std::string_view merchant_id,
                     Completion<Merchant> done);
  void rotate_webhook_secret(const Operator& op, std::string_view request_id, std::string_view merchant_id,
                             Completion<Merchant> done);

  Result<std::vector<Merchant>> list_merchants() { return store_.list_merchants(); }
  Result<Merchant> get_merchant(std::string_view merchant_id);
  Result<AuditPage> list_audit(std::optional<std::string> limit, std::optional<std::string> cursor);
  const std::vector<ChannelAccountSummary>& channel_accounts() const { return accounts_; }

 private:
  AuditEntry audit(const Operator& op, std::string_view request_id, std::string action,
                   std::string_view merchant_id) const;
  void change(const Operator& op, std::string_view request_id, std::string action, MerchantChange change,
              Completion<Merchant> done);

  MerchantStore& store_;
  const Clock& clock_;
  const std::vector<ChannelAccountSummary> accounts_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::pair<Operator, std::int64_t>>
      cache_;  // key hash → operator, loaded at
};

}  // namespace paygate
