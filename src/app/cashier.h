// The cashier: what the public payment page may see and do for an order, knowing only its id (an
// unguessable token): read amount, subject and status; pick a channel for a cashier-mode order; in sandbox
// mode, pay. Nothing else about the merchant or the order is exposed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/channel_registry.h"
#include "app/order_events.h"
#include "app/orders.h"
#include "core/worker_pool.h"
#include "ports/store.h"

namespace paygate {

class CashierService {
 public:
  using SandboxPay = std::function<Status(const Order&)>;  // blocking; empty when not in sandbox mode

  CashierService(Store& store, OrderService& orders, ChannelRegistry& channels, WorkerPool& workers,
                 OrderEventHub& events, SandboxPay sandbox_pay)
      : store_(store),
        orders_(orders),
        channels_(channels),
        workers_(workers),
        events_(events),
        sandbox_pay_(std::move(sandbox_pay)) {}

  Result<Order> find(std::string_view order_id);
  void choose(std::string_view order_id, const std::string& channel, const std::string& method,
              Completion<Order> done);
  void pay_in_sandbox(std::string_view order_id, Completion<Order> done);

  std::vector<Channel> available_channels() const;
  bool sandbox() const { return static_cast<bool>(sandbox_pay_); }
  OrderEventHub& events() { return events_; }

 private:
  Store& store_;
  OrderService& orders_;
  ChannelRegistry& channels_;
  WorkerPool& workers_;
  OrderEventHub& events_;
  SandboxPay sandbox_pay_;
};

}  // namespace paygate
