// The order jobs that keep pending orders from getting stuck, on a thread of their own: expiry (query, close
// at the channel, close here), active queries of pending channel orders on their schedule, so a lost
// notify is found, and the late-payment policy. Each job is bounded per round and idempotent: an order
// already being handled is skipped, and the schedules live in the store, so a restart carries on.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "app/orders.h"
#include "app/refunds.h"
#include "core/periodic_worker.h"

namespace paygate {

class OrderScheduler {
 public:
  // node_id names this node on the orders it claims (ports/job_claim.h).
  OrderScheduler(Store& store, OrderService& orders, RefundService& refunds, const Clock& clock,
                 OrderConfig config, std::string node_id = "local");
  OrderScheduler(const OrderScheduler&) = delete;
  OrderScheduler& operator=(const OrderScheduler&) = delete;

  void start();
  void stop() { worker_.stop(); }

  // One round of each job; each returns how many orders it started on.
  std::size_t expire_due();
  std::size_t query_due();
  // With late_payment = "refund": refunds every late payment in full (out_refund_no "late-<order_id>", so a
  // second round or a restart finds the same refund rather than making another).
  std::size_t refund_late_payments();

 private:
  static constexpr std::uint32_t kOrdersPerRound = 100;
  // How long a claimed order is this node's (ports/job_claim.h): longer than a channel's close or query call
  // takes, short enough that a dead node's orders are expired and queried again soon.
  static constexpr std::int64_t kJobLeaseMs = 30'000;
  bool claim(const std::string& order_id);
  void release(const std::string& order_id);
  void look_again_soon(const Order& order);

  Store& store_;
  OrderService& orders_;
  RefundService& refunds_;
  const Clock& clock_;
  const OrderConfig config_;
  const std::string node_id_;
  std::mutex mutex_;
  std::set<std::string> in_flight_;
  PeriodicWorker worker_;  // last: stopped (joined) before the rest goes
};

}  // namespace paygate
