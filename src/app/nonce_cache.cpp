#include "app/nonce_cache.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace paygate {
namespace {

// Buckets per window: a nonce outlives its expiry by at most one bucket (window / 8), and a lookup visits at
// most 2 × 8 + 1 tables.
constexpr std::int64_t kBucketsPerWindow = 8;

std::uint64_t fingerprint_of(std::string_view nonce) {
  // Only a merchant that signed its request can store a nonce, and fingerprints are per merchant, so a
  // crafted collision could only refuse the crafter's own request: an unkeyed 64-bit hash is enough.
  const std::uint64_t hash = std::hash<std::string_view>{}(nonce);
  return hash == 0 ? 1 : hash;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

FingerprintSet::FingerprintSet(std::size_t expected_entries)
    : slots_(std::bit_ceil(std::max<std::size_t>(16, expected_entries * 4 / 3 + 1)), 0) {}

bool FingerprintSet::contains(std::uint64_t fingerprint) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
    if (slots_[i] == fingerprint) return true;
    if (slots_[i] == 0) return false;
  }
}

void FingerprintSet::insert(std::uint64_t fingerprint) {
  if ((count_ + 1) * 4 > slots_.size() * 3) grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = fingerprint & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = fingerprint;
  ++count_;
}

void FingerprintSet::grow() {
  std::vector<std::uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  count_ = 0;
  for (std::uint64_t fingerprint : old) {
    if (fingerprint != 0) insert(fingerprint);
  }
}

NonceCache::NonceCache(std::int64_t window_ms, std::size_t per_merchant_max)
    : bucket_ms_(std::max<std::int64_t>(1, window_ms / kBucketsPerWindow)),
      per_merchant_max_(std::max<std::size_t>(1, per_merchant_max)) {}

NonceCache::MerchantNonces& NonceCache::merchant(std::string_view merchant_id) {
  const std::string key(merchant_id);
  {
    std::shared_lock lock(merchants_mutex_);
    if (auto it = merchants_.find(key); it != merchants_.end()) return *it->second;
  }
  // Only authenticated merchants get here, so the map is bounded by the merchants the store knows.
  std::unique_lock lock(merchants_mutex_);
  auto& slot = merchants_[key];
  if (!slot) slot = std::make_unique<MerchantNonces>();
  return *slot;
}

void NonceCache::drop_expired(MerchantNonces& nonces, std::int64_t now_ms) const {
  // A bucket goes whole once its last possible expiry has passed.
  while (!nonces.buckets.empty() && (nonces.buckets.front().index + 1) * bucket_ms_ <= now_ms) {
    const FingerprintSet& set = nonces.buckets.front().set;
    nonces.entries -= set.size();
    count(-static_cast<std::int64_t>(set.size()), -static_cast<std::int64_t>(set.bytes()));
    nonces.buckets.pop_front();
  }
}

FingerprintSet& NonceCache::bucket_for(MerchantNonces& nonces, std::int64_t index) {
  auto it = std::lower_bound(nonces.buckets.begin(), nonces.buckets.end(), index,
                             [](const Bucket& bucket, std::int64_t i) { return bucket.index < i; });
  if (it != nonces.buckets.end() && it->index == index) return it->set;
  if (!nonces.buckets.empty()) nonces.last_bucket_entries = nonces.buckets.back().set.size();
  return nonces.buckets.insert(it, Bucket{index, FingerprintSet(nonces.last_bucket_entries)})->set;
}

NonceVerdict NonceCache::remember(std::string_view merchant_id, std::string_view nonce,
                                  std::int64_t expires_at_ms, std::int64_t now_ms) {
  const std::uint64_t fingerprint = fingerprint_of(nonce);
  MerchantNonces& nonces = merchant(merchant_id);
  std::lock_guard lock(nonces.mutex);
  drop_expired(nonces, now_ms);
  // The same nonce under another timestamp is a reuse too: every live bucket is asked.
  for (const Bucket& bucket : nonces.buckets) {
    if (bucket.set.contains(fingerprint)) return NonceVerdict::kReused;
  }
  if (nonces.entries >= per_merchant_max_) return NonceVerdict::kShareExhausted;
  const std::size_t buckets_before = nonces.buckets.size();
  FingerprintSet& set = bucket_for(nonces, floor_div(expires_at_ms, bucket_ms_));
  const std::size_t bytes_before = nonces.buckets.size() == buckets_before ? set.bytes() : 0;
  set.insert(fingerprint);
  ++nonces.entries;
  count(1, static_cast<std::int64_t>(set.bytes()) - static_cast<std::int64_t>(bytes_before));
  return NonceVerdict::kFresh;
}

std::size_t NonceCache::entries() const {
  std::shared_lock lock(merchants_mutex_);
  std::size_t total = 0;
  for (const auto& [id, nonces] : merchants_) {
    std::lock_guard merchant_lock(nonces->mutex);
    total += nonces->entries;
  }
  return total;
}

std::size_t NonceCache::bytes() const {
  std::shared_lock lock(merchants_mutex_);
  std::size_t total = 0;
  for (const auto& [id, nonces] : merchants_) {
    std::lock_guard merchant_lock(nonces->mutex);
    for (const Bucket& bucket : nonces->buckets) total += bucket.set.bytes();
  }
  return total;
}

}  // namespace paygate
