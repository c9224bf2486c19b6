// What the crash suites share: rounds of load killed with SIGKILL (every order acknowledged in a round must
// exist after the restart), and waiting until an order agrees with what its channel says.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ports/channel_gateway.h"
#include "tests/integration/harness.h"

namespace paygate::test {

// One client thread's work until the gateway dies: acknowledge(order_id) for every order it was told exists.
using LoadRound =
    std::function<void(MerchantClient& client, std::mt19937_64& random, const std::atomic<bool>& down,
                       const std::function<void(const std::string&)>& acknowledge)>;

// Refunds asked for during the rounds, of orders paid at the sandbox a while before (their notify has had
// time to arrive; if not, the gateway answers 409, which is fine). Shared by the load threads.
class RefundsUnderLoad {
 public:
  void paid(const std::string& order_id) {
    std::lock_guard lock(mutex_);
    paid_.push_back(order_id);
  }

  // Asks for a 1-yuan refund of one of the orders paid at least eight payments ago (none yet: nothing) and
  // remembers it when the gateway acknowledges it.
  void refund_one(MerchantClient& client, std::mt19937_64& random, const std::string& out_refund_no) {
    std::string order_id;
    {
      std::lock_guard lock(mutex_);
      if (paid_.size() <= 8) return;
      order_id = paid_[random() % (paid_.size() - 8)];
    }
    auto refunded = client.post("/api/v1/orders/" + order_id + "/refunds",
                                nlohmann::json{{"out_refund_no", out_refund_no}, {"amount", 100}}.dump());
    if (refunded.status != 201) return;
    std::lock_guard lock(mutex_);
    acknowledged_.insert(refunded.data()["refund_id"].get<std::string>());
  }

  std::set<std::string> acknowledged() const {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> paid_;
  std::set<std::string> acknowledged_;
};

// kills rounds of `clients` threads running load; each round ends with SIGKILL after up_ms_min plus up to 150
// ms, then the gateway restarts and every order acknowledged in the round is asked for. Returns every
// acknowledged order. Failures are gtest failures.
inline std::set<std::string> kill_under_load(GatewayProcess& gateway, const Credentials& credentials,
                                             int kills, int clients, std::mt19937_64& random, int up_ms_min,
                                             const LoadRound& load) {
  std::mutex mutex;
  std::set<std::string> acknowledged;
  for (int kill = 0; kill < kills; ++kill) {
    std::atomic<bool> down{false};
    std::vector<std::string> burst;  // orders acknowledged since the last restart
    auto acknowledge = [&](const std::string& id) {
      std::lock_guard lock(mutex);
      acknowledged.insert(id);
      burst.push_back(id);
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, seed = random()] {
        std::mt19937_64 local(seed);
        try {
          MerchantClient client(gateway.endpoint(), credentials);
          load(client, local, down, acknowledge);
        } catch (const std::exception&) {
          // The gateway died under us: that is the point.
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(up_ms_min + random() % 150));
    gateway.kill9();
    down = true;
    for (auto& thread : threads) thread.join();
    gateway.start();
    MerchantClient check(gateway.endpoint(), credentials);
    for (const std::string& id : burst) {
      EXPECT_EQ(check.get("/api/v1/orders/" + id).status, 200)
          << "kill " << kill << " lost acknowledged order " << id;
    }
  }
  return acknowledged;
}

// Waits (until deadline) for the condition "the order's paid state is the channel's and no refund of it is
// still reserved"; returns the order as it then stands. A timeout is a gtest failure.
inline nlohmann::json wait_until_channel_agrees(MerchantClient& client, ChannelGateway& channel,
                                                const std::string& id,
                                                std::chrono::steady_clock::time_point deadline) {
  nlohmann::json order = client.get("/api/v1/orders/" + id).data();
  Order trade;
  trade.order_id = OrderId{id};
  trade.amount = Money{order["amount"].get<std::int64_t>(), Currency::kCny};
  auto at_channel = channel.query(trade);
  EXPECT_TRUE(at_channel.ok()) << id << ": " << (at_channel.ok() ? "" : at_channel.error().message);
  const bool paid_there = at_channel.ok() && at_channel->status == ChannelTradeStatus::kPaid;
  while (true) {
    order = client.get("/api/v1/orders/" + id).data();
    const std::string status = order["status"];
    const bool paid_here = status == "succeeded" || status == "partially_refunded" || status == "refunded";
    if (paid_here == paid_there && order["refunding_amount"] == 0) return order;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << id << " is " << status << ", the channel says " << (paid_there ? "paid" : "not paid");
      return order;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace paygate::test
