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
    : store_(store), merchants_(store, clock), clock_(clock), accounts_(std::move(accounts)) {}

void OperatorService::create_operator(const std::string& name, OperatorRole role,
                                      Completion<NewOperator> done) {
  if (auto status = check_display_name(name); !status) return done(std::move(status).error());
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
