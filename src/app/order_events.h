// The realtime hub: who is watching which order (cashier pages over SSE) and telling them when it moves.
// Connected to an order change bus (several nodes), it also announces every change to the other nodes and
// tells this node's watchers of orders another node moved.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/order.h"
#include "ports/order_change_bus.h"

namespace paygate {

class OrderEventHub {
 public:
  using Listener = std::function<void(const Order&)>;
  using OrderLoader = std::function<std::optional<Order>(const OrderId&)>;

  // Shares changes with the other nodes through the bus. An order another node moved is loaded (only when
  // someone here watches it) and goes to its watchers; the subscribe_all listeners hear only this node's.
  void connect(OrderChangeBus& bus, OrderLoader load);

  // Returns a token for unsubscribe. Listeners run on the publishing thread and must be cheap.
  std::uint64_t subscribe(const OrderId& order_id, Listener listener);
  void unsubscribe(const OrderId& order_id, std::uint64_t token);
  // Hears every order that moves (the webhook dispatcher wakes on it: each move wrote an outbox event).
  void subscribe_all(Listener listener);
  void publish(const Order& order);  // a change made on this node
  std::size_t watchers(const OrderId& order_id) const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_token_ = 1;
  std::map<std::string, std::map<std::uint64_t, Listener>> listeners_;
  std::vector<Listener> all_listeners_;
  OrderChangeBus* bus_ = nullptr;
  OrderLoader load_;

  void moved_elsewhere(const OrderId& order_id);
};

}  // namespace paygate
