// The platform operator's side (DESIGN §10): operator keys (made by `paygate operator create`, shown once,
// stored only as SHA-256), their authentication on /admin/v1, and what the operator API reads. Merchant
// writes go through MerchantService, which audits them in the same store command as the change.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/merchants.h"
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

  // The operator's merchant writes, audited under Actor{operator_id, request_id}.
  MerchantService& merchants() { return merchants_; }
  Result<Merchant> get_merchant(std::string_view merchant_id);
  Result<AuditPage> list_audit(std::optional<std::string> limit, std::optional<std::string> cursor);
  const std::vector<ChannelAccountSummary>& channel_accounts() const { return accounts_; }

 private:
  MerchantStore& store_;
  MerchantService merchants_;
  const Clock& clock_;
  const std::vector<ChannelAccountSummary> accounts_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::pair<Operator, std::int64_t>>
      cache_;  // key hash → operator, loaded at
};

}  // namespace paygate
