#include "app/merchant_directory.h"

namespace paygate {

MerchantDirectory::MerchantDirectory(MerchantStore& store, const Clock& clock, std::int64_t ttl_ms,
                                     std::size_t entries_max)
    : store_(store), clock_(clock), ttl_ms_(ttl_ms), entries_max_(entries_max) {}

Result<std::optional<Merchant>> MerchantDirectory::find(const MerchantId& merchant_id) {
  const std::int64_t now_ms = clock_.now_unix_ms();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(merchant_id.value);
    if (it != entries_.end() && now_ms - it->second.loaded_at_ms < ttl_ms_) return {it->second.merchant};
  }
  auto found = store_.find_merchant(merchant_id);
  if (!found.ok() || !found->has_value()) return found;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= entries_max_) entries_.clear();  // crude but bounded; merchants are few in practice
  entries_.insert_or_assign(merchant_id.value, Entry{**found, now_ms});
  return found;
}

}  // namespace paygate
