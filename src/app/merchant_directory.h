// Merchants by id for the hot path of authentication: a read-through cache over the Store with a short
// lifetime, so a merchant created or disabled by another process is seen within ttl_ms.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "ports/merchant_store.h"

namespace paygate {

class MerchantDirectory {
 public:
  MerchantDirectory(MerchantStore& store, const Clock& clock, std::int64_t ttl_ms = 10'000,
                    std::size_t entries_max = 100'000);

  // nullopt: no such merchant. An error: the store could not answer.
  Result<std::optional<Merchant>> find(const MerchantId& merchant_id);

 private:
  struct Entry {
    Merchant merchant;
    std::int64_t loaded_at_ms;
  };
  MerchantStore& store_;
  const Clock& clock_;
  const std::int64_t ttl_ms_;
  const std::size_t entries_max_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace paygate
