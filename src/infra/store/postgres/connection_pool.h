// A bounded pool of connections to PostgreSQL, opened on first use. A caller waits at most the pool's wait
// for a free connection (then STORE_BUSY); a connection found broken when it comes back is closed, and the
// next lease opens a fresh one — so after a restart or a failover the pool heals by itself.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "infra/store/postgres/connection.h"

namespace paygate::postgres {

class ConnectionPool {
 public:
  ConnectionPool(ConnectOptions options, std::uint32_t size, std::uint32_t wait_ms);

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&& other) noexcept = default;
    Lease(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const { return *db_; }
    Connection* operator->() const { return db_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> db_;
  };

  // STORE_BUSY when none came free in time; STORE_UNAVAILABLE when a new connection could not be opened.
  Result<Lease> lease();
  // How many connections it may hold: after an outage, that many idle ones may turn out to be dead.
  std::uint32_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<Connection> db);

  const ConnectOptions options_;
  const std::uint32_t wait_ms_;
  const std::uint32_t size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::uint32_t free_slots_;  // connections that may still be opened (or were closed as broken)
};

}  // namespace paygate::postgres
