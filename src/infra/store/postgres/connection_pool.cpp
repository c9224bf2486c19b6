#include "infra/store/postgres/connection_pool.h"

#include <chrono>

#include "core/log.h"

namespace paygate::postgres {

ConnectionPool::ConnectionPool(ConnectOptions options, std::uint32_t size, std::uint32_t wait_ms)
    : options_(std::move(options)), wait_ms_(wait_ms), size_(size), free_slots_(size) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ && db_) pool_->give_back(std::move(db_));
}

Result<ConnectionPool::Lease> ConnectionPool::lease() {
  {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, std::chrono::milliseconds(wait_ms_),
                             [this] { return !idle_.empty() || free_slots_ > 0; })) {
      return make_error(ErrorCode::kStoreBusy, "every store connection is busy; retry shortly");
    }
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    --free_slots_;
  }
  try {
    return Lease(this, std::make_unique<Connection>(options_));
  } catch (const PgError& e) {
    {
      std::lock_guard lock(mutex_);
      ++free_slots_;
    }
    available_.notify_one();
    log::warn("store_connect_failed", {{"error", e.what()}});
    return make_error(ErrorCode::kStoreUnavailable, "the store is unavailable; retry shortly");
  }
}

void ConnectionPool::give_back(std::unique_ptr<Connection> db) {
  {
    std::lock_guard lock(mutex_);
    if (db->healthy()) {
      idle_.push_back(std::move(db));
    } else {
      ++free_slots_;  // closed below, outside the lock; the next lease opens a fresh one
    }
  }
  available_.notify_one();
}

}  // namespace paygate::postgres
