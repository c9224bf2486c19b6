#include "app/operators.h"

#include <charconv>

#include "app/input_checks.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"

namespace paygate {
namespace {

constexpr std::int64_t kOperatorCacheMs = 5'000;  // a revoked key stops working within this
constexpr std::size_t kOperatorCacheMax = 1'000;
constexpr std::string_view kBearer = "Bearer ";
constexpr std::size_t kOperatorKeyChars = 43;  // base62: 256 bits

bool is_base62(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

Error merchant_not_found() {
  return make_error(ErrorCode::kMerchantNotFound, "merchant_id: no such merchant");
}

}  // namespace

OperatorService::OperatorService(MerchantStore& store, const Clock& clock,
                                 std::vector<ChannelAccountSummary> accounts)
    : store_(store), clock_(clock), accounts_(std::move(accounts)) {}

void OperatorService::create_operator(const std::string& name, OperatorRole role,
                                      Completion<NewOperator> done) {
  const auto length = utf8_length(name);
  if (!length || *length < 1 || *length > 64 || has_control_characters(name))
    return done(invalid_field("name", "must be 1-64 characters of valid UTF-8"));
  NewOperator created{Operator{"op_" + crypto::random_base62(16), name, role, clock_.now_unix_ms()},
                      std::string(kOperatorKeyPrefix) + crypto::random_base62(kOperatorKeyChars)};
  const std::string hash = crypto::hex_encode(crypto::sha256(created.key));
  store_.create_operator(created.op, hash,
                         [created, done = std::move(done)](Result<Operator> stored) mutable {
                           if (!stored.ok()) return done(std::move(stored).error());
                           done(std::move(created));
                         });
}

Result<Operator> OperatorService::authenticate(std::string_view authorization) {
  if (authorization.empty())
    return make_error(ErrorCode::kAuthMissing, "the Authorization header is required");
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    if (authorization.find("PAYGATE-HMAC-SHA256") != std::string_view::npos) {
      return make_error(ErrorCode::kMerchantCredentialRejected,
                        "merchant credentials are not accepted by the operator API");
    }
    return make_error(ErrorCode::kOperatorKeyInvalid, "Authorization must be \"Bearer pgop_…\"");
  }
  const std::string_view key = authorization.substr(kBearer.size());
  if (key.size() != kOperatorKeyPrefix.size() + kOperatorKeyChars ||
      key.substr(0, kOperatorKeyPrefix.size()) != kOperatorKeyPrefix ||
      !is_base62(key.substr(kOperatorKeyPrefix.size())))
    return make_error(ErrorCode::kOperatorKeyInvalid, "the operator key is not valid");
  // Looked up by its hash: the stored hash is the index, so no secret is compared byte by byte.
  const std::string hash = crypto::hex_encode(crypto::sha256(key));
  const std::int64_t now_ms = clock_.now_unix_ms();
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(hash); it != cache_.end() && now_ms - it->second.second < kOperatorCacheMs)
      return it->second.first;
  }
  auto found = store_.find_operator_by_key(hash);
  if (!found.ok()) return std::move(found).error();
  if (!*found) return make_error(ErrorCode::kOperatorKeyInvalid, "the operator key is not valid");
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kOperatorCacheMax) cache_.clear();
  cache_.insert_or_assign(hash, std::pair{**found, now_ms});
  return **found;
}

Status OperatorService::allow(const Operator& op, bool writes) {
  if (writes && op.role != OperatorRole::kAdmin)
    return make_error(ErrorCode::kOperatorForbidden, "a viewer may read, not write");
  return {};
}

AuditEntry OperatorService::audit(const Operator& op, std::string_view request_id, std::string action,
                                  std::string_view merchant_id) const {
  AuditEntry entry;
  entry.at_ms = clock_.now_unix_ms();
  entry.operator_id = op.operator_id;
  entry.action = std::move(action);
  entry.target = fmt::format("merchant:{}", merchant_id);
  entry.request_id = std::string(request_id);
  return entry;
}

void OperatorService::create_merchant(const Operator& op, std::string_view request_id,
                                      const std::string& name, Completion<Merchant> done) {
  const auto length = utf8_length(name);
  if (!length || *length < 1 || *length > 64 || has_control_characters(name))
    return done(invalid_field("name", "must be 1-64 characters of valid UTF-8"));
  Merchant merchant{new_merchant_id(),   name, new_merchant_secret(), true, clock_.now_unix_ms(),
                    new_webhook_secret()};
  AuditEntry entry = audit(op, request_id, "merchant.create", merchant.merchant_id.value);
  store_.create_merchant_audited(std::move(merchant), std::move(entry), std::move(done));
}

void OperatorService::change(const Operator& op, std::string_view request_id, std::string action,
                             MerchantChange change, Completion<Merchant> done) {
  if (!is_token(change.merchant_id.value, 64)) return done(merchant_not_found());
  AuditEntry entry = audit(op, request_id, std::move(action), change.merchant_id.value);
  store_.change_merchant(std::move(change), std::move(entry), std::move(done));
}

void OperatorService::set_merchant_enabled(const Operator& op, std::string_view request_id,
                                           std::string_view merchant_id, bool enabled,
                                           Completion<Merchant> done) {
  change(op, request_id, enabled ? "merchant.enable" : "merchant.disable",
         MerchantChange{MerchantId{std::string(merchant_id)}, enabled, std::nullopt, std::nullopt},
         std::move(done));
}

void OperatorService::rotate_secret(const Operator& op, std::string_view request_id,
                                    std::string_view merchant_id, Completion<Merchant> done) {
  change(
      op, request_id, "merchant.rotate_secret",
      MerchantChange{MerchantId{std::string(merchant_id)}, std::nullopt, new_merchant_secret(), std::nullopt},
      std::move(done));
}

void OperatorService::rotate_webhook_secret(const Operator& op, std::string_view request_id,
                                            std::string_view merchant_id, Completion<Merchant> done) {
  change(
      op, request_id, "merchant.rotate_webhook_secret",
      MerchantChange{MerchantId{std::string(merchant_id)}, std::nullopt, std::nullopt, new_webhook_secret()},
      std::move(done));
}

Result<Merchant> OperatorService::get_merchant(std::string_view merchant_id) {
  if (!is_token(merchant_id, 64)) return merchant_not_found();
  auto found = store_.find_merchant(MerchantId{std::string(merchant_id)});
  if (!found.ok()) return std::move(found).error();
  if (!*found) return merchant_not_found();
  return std::move(**found);
}

Result<AuditPage> OperatorService::list_audit(std::optional<std::string> limit,
                                              std::optional<std::string> cursor) {
  AuditQuery query;
  if (limit) {
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > 200)
      return invalid_field("limit", "must be an integer from 1 to 200");
    query.limit = value;
  }
  if (cursor) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), value);
    if (ec != std::errc() || end != cursor->data() + cursor->size() || value < 1)
      return invalid_field("cursor", "is not a cursor this API returned");
    query.before_audit_id = value;
  }
  return store_.list_audit(query);
}

}  // namespace paygate
