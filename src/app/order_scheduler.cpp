#include "app/order_scheduler.h"

#include "core/log.h"

namespace paygate {

OrderScheduler::OrderScheduler(Store& store, OrderService& orders, RefundService& refunds, const Clock& clock,
                               OrderConfig config, std::string node_id)
    : store_(store),
      orders_(orders),
      refunds_(refunds),
      clock_(clock),
      config_(config),
      node_id_(std::move(node_id)) {}

void OrderScheduler::start() {
  worker_.start("paygate-orders", std::chrono::milliseconds(config_.scheduler_interval_ms), [this] {
    expire_due();
    query_due();
    if (config_.late_payment == "refund") refund_late_payments();
  });
}

bool OrderScheduler::claim(const std::string& order_id) {
  std::lock_guard lock(mutex_);
  return in_flight_.insert(order_id).second;
}

void OrderScheduler::look_again_soon(const Order& order) {
  // Claimed in the store but busy here (an earlier round's work on it has not ended): its lease is given
  // back for the next round rather than held until it runs out.
  store_.note_order_query(OrderQueryCheck{order.order_id, order.query_attempts,
                                          clock_.now_unix_ms() + config_.scheduler_interval_ms},
                          [](Result<Order>) {});
}

void OrderScheduler::release(const std::string& order_id) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(order_id);
}

std::size_t OrderScheduler::expire_due() {
  auto due = wait_for_completion<std::vector<Order>>([this](auto done) {
    store_.claim_expired_orders(JobClaim{node_id_, clock_.now_unix_ms(), kJobLeaseMs, kOrdersPerRound},
                                std::move(done));
  });
  if (!due.ok()) return 0;
  std::size_t started = 0;
  for (const Order& order : *due) {
    if (!claim(order.order_id.value)) {
      look_again_soon(order);
      continue;
    }
    ++started;
    orders_.expire(order, [this, id = order.order_id.value](Result<Order> expired) {
      if (!expired.ok())
        log::info("order_expiry_deferred", {{"order_id", id}, {"reason", expired.error().message}});
      release(id);
    });
  }
  return started;
}

std::size_t OrderScheduler::query_due() {
  const std::int64_t now_ms = clock_.now_unix_ms();
  auto due = wait_for_completion<std::vector<Order>>([this, now_ms](auto done) {
    store_.claim_orders_to_query(JobClaim{node_id_, now_ms, kJobLeaseMs, kOrdersPerRound}, std::move(done));
  });
  if (!due.ok()) return 0;
  std::size_t started = 0;
  for (const Order& order : *due) {
    if (!claim(order.order_id.value)) {
      look_again_soon(order);
      continue;
    }
    ++started;
    const std::int32_t attempts = order.query_attempts + 1;
    // The attempt is counted before the query goes out: a crash mid-query only delays the next one.
    store_.note_order_query(
        OrderQueryCheck{order.order_id, attempts, next_order_query_ms(config_, attempts, now_ms)},
        [this, merchant_id = order.merchant_id, id = order.order_id.value](Result<Order> noted) {
          if (!noted.ok() || noted->status != OrderStatus::kPending) return release(id);
          orders_.sync(merchant_id, id, [this, id](Result<Order>) { release(id); });
        });
  }
  return started;
}

std::size_t OrderScheduler::refund_late_payments() {
  auto late = store_.list_late_payments_to_refund(kOrdersPerRound);
  if (!late.ok()) return 0;
  std::size_t started = 0;
  for (const Order& order : *late) {
    if (!claim(order.order_id.value)) continue;
    ++started;
    log::warn("late_payment_refund", {{"order_id", order.order_id.value}, {"amount", order.amount.minor}});
    refunds_.create(order.merchant_id, order.order_id.value,
                    CreateRefundInput{"late-" + order.order_id.value, order.amount.minor,
                                      std::string("paid after the order was closed"), std::nullopt},
                    [this, id = order.order_id.value](Result<CreatedRefund>) { release(id); });
  }
  return started;
}

}  // namespace paygate
