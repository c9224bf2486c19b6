// The order jobs that keep pending orders from getting stuck, on a thread of their own: expiry (query, close
// at the channel, close here) and active queries of pending channel orders on their schedule, so a lost
// notify is found. Each job is bounded per round and idempotent: an order already being handled is skipped,
// and the schedules live in the store, so a restart carries on.
#pragma once

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "app/orders.h"

namespace paygate {

class OrderScheduler {
 public:
  OrderScheduler(Store& store, OrderService& orders, const Clock& clock, OrderConfig config);
  OrderScheduler(const OrderScheduler&) = delete;
  OrderScheduler& operator=(const OrderScheduler&) = delete;
  ~OrderScheduler() { stop(); }

  void start();
  void stop();

  // One round of each job; each returns how many orders it started on.
  std::size_t expire_due();
  std::size_t query_due();

 private:
  static constexpr std::uint32_t kOrdersPerRound = 100;
  bool claim(const std::string& order_id);
  void release(const std::string& order_id);

  Store& store_;
  OrderService& orders_;
  const Clock& clock_;
  const OrderConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::set<std::string> in_flight_;
  std::thread thread_;
};

}  // namespace paygate
