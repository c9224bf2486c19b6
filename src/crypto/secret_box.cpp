#include "crypto/secret_box.h"

#include "core/time.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "fmt/format.h"

namespace paygate::crypto {
namespace {

constexpr std::size_t kNonceBytes = 12;

}  // namespace

SecretBox::SecretBox(MasterKeyring ring, Reload reload)
    : ring_(std::move(ring)), reload_(std::move(reload)) {}

void SecretBox::refresh(bool only_if_changed) const {
  if (!reload_) return;
  auto fresh = reload_(only_if_changed);
  if (!fresh.ok() || fresh->keys.empty()) return;
  std::lock_guard lock(mutex_);
  ring_ = std::move(fresh).value();
}

std::string SecretBox::sealing_key_id() const {
  refresh(true);
  std::lock_guard lock(mutex_);
  return ring_.keys.front().key_id;
}

std::optional<std::string> SecretBox::key_for(std::string_view key_id) const {
  std::lock_guard lock(mutex_);
  for (const MasterKey& key : ring_.keys) {
    if (key.key_id == key_id) return key.key;
  }
  return std::nullopt;
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  refresh(true);  // a rotation by another process: seal under its new key, never under one being retired
  MasterKey key;
  {
    std::lock_guard lock(mutex_);
    key = ring_.keys.front();
  }
  const std::string nonce = random_bytes(kNonceBytes);
  return fmt::format("{}{}:{}", kSealedPrefix, key.key_id,
                     base64_encode(nonce + aes256gcm_seal(key.key, nonce, aad, plaintext)));
}

std::optional<std::string> SecretBox::key_id_of(std::string_view sealed) {
  if (!is_sealed(sealed)) return std::nullopt;
  sealed.remove_prefix(kSealedPrefix.size());
  const auto colon = sealed.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return std::string(sealed.substr(0, colon));
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view aad) const {
  const auto key_id = key_id_of(sealed);
  if (!key_id) return make_error(ErrorCode::kInternal, "a stored secret is not sealed");
  auto key = key_for(*key_id);
  if (!key) {
    refresh(false);
    key = key_for(*key_id);
  }
  if (!key) {
    return make_error(
        ErrorCode::kInternal,
        fmt::format("a stored secret is sealed with master key '{}', which is not loaded", *key_id));
  }
  const auto body = base64_decode(sealed.substr(kSealedPrefix.size() + key_id->size() + 1));
  if (!body || body->size() < kNonceBytes + kGcmTagBytes)
    return make_error(ErrorCode::kInternal, "a stored secret is damaged");
  auto plaintext = aes256gcm_open(*key, body->substr(0, kNonceBytes), aad, body->substr(kNonceBytes));
  if (!plaintext) return make_error(ErrorCode::kInternal, "a stored secret does not authenticate");
  return std::move(*plaintext);
}

MasterKey new_master_key(std::int64_t now_unix_ms) {
  std::string stamp = format_compact_utc_ms(now_unix_ms).substr(0, 14);
  return MasterKey{fmt::format("mk_{}_{}", stamp, random_base62(6)), random_bytes(kAes256KeyBytes)};
}

}  // namespace paygate::crypto
