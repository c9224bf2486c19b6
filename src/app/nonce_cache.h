// Remembers each merchant's request nonces until their signed timestamp can no longer pass the window, so a
// captured request cannot be replayed.
//
// Sized for the gateway's peak rate across the whole window in bounded memory: a nonce is kept as a 64-bit
// fingerprint (8 bytes in an open-addressing table) in the time bucket of its expiry, and a bucket is dropped
// whole once every nonce in it has expired, so nothing is pruned one entry at a time. Each merchant has its
// own tables and its own share (per_merchant_max): a merchant that exhausts its share is refused alone and
// can never fail another merchant's requests. Measured share and RSS: bench/RESULTS.md, "Replay protection".
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "ports/replay_guard.h"

namespace paygate {

// A set of non-zero 64-bit fingerprints: linear probing, grown at 3/4 load.
class FingerprintSet {
 public:
  explicit FingerprintSet(std::size_t expected_entries);
  bool contains(std::uint64_t fingerprint) const;
  void insert(std::uint64_t fingerprint);  // precondition: !contains(fingerprint)
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return slots_.size() * sizeof(std::uint64_t); }

 private:
  void grow();
  std::vector<std::uint64_t> slots_;  // 0 = empty
  std::size_t count_ = 0;
};

// One node's replay guard: in memory, answered on the caller's thread.
class NonceCache final : public ReplayGuard {
 public:
  // window_ms: how far a timestamp may be from now; a nonce lives until its timestamp + window, so at most
  // 2 × window from now.
  NonceCache(std::int64_t window_ms, std::size_t per_merchant_max);

  // Records the nonce until expires_at_ms. kReused when the merchant used it before and it has not expired;
  // kShareExhausted when the merchant already holds per_merchant_max live nonces (the caller must refuse the
  // request: accepting it unrecorded would allow a replay).
  NonceVerdict remember(std::string_view merchant_id, std::string_view nonce, std::int64_t expires_at_ms,
                        std::int64_t now_ms);
  void remember(NonceUse use, Completion<NonceVerdict> done) override {
    done(remember(use.merchant_id, use.nonce, use.expires_at_ms, use.now_ms));
  }
  bool answers_inline() const override { return true; }

  // Live fingerprints and the bytes their tables hold, over all merchants (tests).
  std::size_t entries() const;
  std::size_t bytes() const;
  // The same two kept up to date in metrics (paygate_auth_nonces, paygate_auth_nonce_table_bytes).
  void export_to(Gauge& entries, Gauge& bytes) {
    entries_gauge_ = &entries;
    bytes_gauge_ = &bytes;
  }

 private:
  struct Bucket {
    std::int64_t index = 0;  // expiries in [index × bucket_ms, (index + 1) × bucket_ms)
    FingerprintSet set;
  };
  struct MerchantNonces {
    mutable std::mutex mutex;
    std::deque<Bucket> buckets;  // ascending index
    std::size_t entries = 0;
    std::size_t last_bucket_entries = 0;  // sizes the next bucket's table, so steady traffic never rehashes
  };

  MerchantNonces& merchant(std::string_view merchant_id);
  void drop_expired(MerchantNonces& nonces, std::int64_t now_ms) const;
  FingerprintSet& bucket_for(MerchantNonces& nonces, std::int64_t index);

  void count(std::int64_t entries, std::int64_t bytes) const {
    if (entries_gauge_ != nullptr) entries_gauge_->add(entries);
    if (bytes_gauge_ != nullptr) bytes_gauge_->add(bytes);
  }

  Gauge* entries_gauge_ = nullptr;
  Gauge* bytes_gauge_ = nullptr;
  const std::int64_t bucket_ms_;
  const std::size_t per_merchant_max_;
  mutable std::shared_mutex merchants_mutex_;
  std::unordered_map<std::string, std::unique_ptr<MerchantNonces>> merchants_;
};

}  // namespace paygate
