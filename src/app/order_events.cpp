#include "app/order_events.h"

#include <vector>

namespace paygate {

std::uint64_t OrderEventHub::subscribe(const OrderId& order_id, Listener listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t token = next_token_++;
  listeners_[order_id.value].emplace(token, std::move(listener));
  return token;
}

void OrderEventHub::unsubscribe(const OrderId& order_id, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(order_id.value);
  if (it == listeners_.end()) return;
  it->second.erase(token);
  if (it->second.empty()) listeners_.erase(it);
}

void OrderEventHub::subscribe_all(Listener listener) {
  std::lock_guard lock(mutex_);
  all_listeners_.push_back(std::move(listener));
}

void OrderEventHub::connect(OrderChangeBus& bus, OrderLoader load) {
  {
    std::lock_guard lock(mutex_);
    bus_ = &bus;
    load_ = std::move(load);
  }
  bus.on_announced([this](const OrderId& order_id) { moved_elsewhere(order_id); });
}

void OrderEventHub::moved_elsewhere(const OrderId& order_id) {
  if (watchers(order_id) == 0) return;
  auto order = load_(order_id);
  if (!order) return;
  std::vector<Listener> to_call;
  {
    std::lock_guard lock(mutex_);
    if (auto it = listeners_.find(order_id.value); it != listeners_.end()) {
      for (const auto& [token, listener] : it->second) to_call.push_back(listener);
    }
  }
  for (const auto& listener : to_call) listener(*order);
}

void OrderEventHub::publish(const Order& order) {
  std::vector<Listener> to_call;
  {
    std::lock_guard lock(mutex_);
    to_call = all_listeners_;
    if (auto it = listeners_.find(order.order_id.value); it != listeners_.end()) {
      for (const auto& [token, listener] : it->second) to_call.push_back(listener);
    }
  }
  for (const auto& listener : to_call) listener(order);
  if (bus_ != nullptr) bus_->announce(order.order_id);
}

std::size_t OrderEventHub::watchers(const OrderId& order_id) const {
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(order_id.value);
  return it == listeners_.end() ? 0 : it->second.size();
}

}  // namespace paygate
