// The realtime hub: who is watching which order (cashier pages over SSE) and telling them when it moves.
// In-process; several gateway nodes will fan out through a shared channel (Redis) later.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "domain/order.h"

namespace paygate {

class OrderEventHub {
 public:
  using Listener = std::function<void(const Order&)>;

  // Returns a token for unsubscribe. Listeners run on the publishing thread and must be cheap.
  std::uint64_t subscribe(const OrderId& order_id, Listener listener);
  void unsubscribe(const OrderId& order_id, std::uint64_t token);
  // Hears every order that moves (the webhook dispatcher wakes on it: each move wrote an outbox event).
  void subscribe_all(Listener listener);
  void publish(const Order& order);
  std::size_t watchers(const OrderId& order_id) const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_token_ = 1;
  std::map<std::string, std::map<std::uint64_t, Listener>> listeners_;
  std::vector<Listener> all_listeners_;
};

}  // namespace paygate
