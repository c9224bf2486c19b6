#include "infra/channels/wechatpay/platform_keys.h"

namespace paygate::wechatpay {

void PlatformKeys::add_public_key(const std::string& key_id, crypto::RsaPublicKey key) {
  std::lock_guard lock(mutex_);
  by_serial_.insert_or_assign(key_id, Entry{std::move(key), 0, INT64_MAX, false});
}

void PlatformKeys::add_certificate(const crypto::Certificate& certificate) {
  auto key = certificate.public_key();
  if (!key.ok()) return;
  std::lock_guard lock(mutex_);
  by_serial_.insert_or_assign(
      certificate.serial_hex(),
      Entry{std::move(key).value(), certificate.not_before_ms(), certificate.not_after_ms(), true});
}

std::optional<crypto::RsaPublicKey> PlatformKeys::find(const std::string& serial, std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  auto it = by_serial_.find(serial);
  if (it == by_serial_.end() || now_ms < it->second.not_before_ms || now_ms > it->second.not_after_ms)
    return std::nullopt;
  return it->second.key;
}

std::vector<std::string> PlatformKeys::certificate_serials(std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [serial, entry] : by_serial_) {
    if (entry.certificate && now_ms >= entry.not_before_ms && now_ms <= entry.not_after_ms)
      out.push_back(serial);
  }
  return out;
}

}  // namespace paygate::wechatpay
