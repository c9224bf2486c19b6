// How the nodes of one deployment tell each other that an order moved, so a watcher held open on one node
// (a cashier page over SSE) hears of a payment whose notify reached another. Best effort, at most once: a
// page that misses a message still sees the state when it next loads or polls.
#pragma once

#include <functional>

#include "domain/order.h"

namespace paygate {

class OrderChangeBus {
 public:
  virtual ~OrderChangeBus() = default;
  // Tells the other nodes (never this one) that the order moved.
  virtual void announce(const OrderId& order_id) = 0;
  // Who hears what other nodes announce; runs on the bus's own thread, so it must be cheap. Set once,
  // before messages flow.
  virtual void on_announced(std::function<void(const OrderId&)> listener) = 0;
};

}  // namespace paygate
