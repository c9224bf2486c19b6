// Proves refunds survive crashes: bursts of concurrent refunds against the real binary, killed with SIGKILL
// mid-burst several times, against an Alipay sandbox in its own process (it keeps the truth across the
// gateway's crashes). Afterwards every acknowledged refund is there, every refund reaches a final status
// that agrees with the channel, nothing was refunded twice, and `paygate ledger verify` passes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/time.h"
#include "tests/integration/harness.h"
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class RefundCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.emplace(dir_.path() + "/sandbox", std::vector<std::string>{"--notify-retry-scale", "0.001"},
                     "sandbox");
    sandbox_->start();
    sandbox_config_ = json::parse(read_text(dir_.path() + "/sandbox/sandbox/alipay.json"));
    config_path_ = write_external_sandbox_config(
        dir_.path(), sandbox_config_, "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n");
    gateway_.emplace(dir_.path() + "/data", std::vector<std::string>{"--config", config_path_});
    gateway_->start();
  }

  MerchantClient merchant() { return MerchantClient(gateway_->endpoint(), gateway_->demo_merchant()); }

  int sandbox_pay(const std::string& order_id) {
    http::Client client(sandbox_->endpoint());
    auto response =
        client.send("POST", "/sandbox/alipay/pay", {},
                    json{{"app_id", sandbox_config_["app_id"]}, {"out_trade_no", order_id}}.dump());
    return response.ok() ? response->status : -1;
  }

  TempDir dir_;
  std::optional<GatewayProcess> sandbox_;
  std::optional<GatewayProcess> gateway_;
  json sandbox_config_;
  std::string config_path_;
};

TEST_F(RefundCrash, KillsDuringRefundBurstsLoseNothingAndRefundNothingTwice) {
  constexpr int kOrders = 12;
  constexpr std::int64_t kAmount = 1'000;
  std::vector<std::string> orders;
  for (int i = 0; i < kOrders; ++i) {
    json body = order_body("crash-order-" + std::to_string(i), kAmount);
    body["channel"] = "alipay";
    body["method"] = "qr";
    auto created = merchant().post("/api/v1/orders", body.dump());
    ASSERT_EQ(created.status, 201) << created.raw.body;
    orders.push_back(created.data()["order_id"]);
    ASSERT_EQ(sandbox_pay(orders.back()), 200);
  }
  for (const std::string& id : orders) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (merchant().get("/api/v1/orders/" + id).data()["status"] != "succeeded") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "order " << id << " was never paid";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::mutex mutex;
  std::set<std::string> acknowledged;  // refund ids the gateway answered 201 for
  std::mt19937_64 random(20261122);
  std::atomic<int> sequence{0};
  for (int crash = 0; crash < 3; ++crash) {
    std::atomic<bool> down{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, seed = random()] {
        std::mt19937_64 local(seed);
        try {
          MerchantClient client(gateway_->endpoint(), gateway_->demo_merchant());
          while (!down) {
            const std::string& order = orders[local() % orders.size()];
            const json body = {{"out_refund_no", "crash-" + std::to_string(sequence++)},
                               {"amount", static_cast<std::int64_t>(1 + local() % 150)}};
            auto response = client.post("/api/v1/orders/" + order + "/refunds", body.dump());
            if (response.status == 201) {
              std::lock_guard lock(mutex);
              acknowledged.insert(response.data()["refund_id"].get<std::string>());
            }
          }
        } catch (const std::exception&) {
          // The gateway died under us: that is the point.
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 200));
    gateway_->kill9();
    down = true;
    for (auto& thread : clients) thread.join();
    gateway_->start();
  }
  ASSERT_GT(acknowledged.size(), 20u) << "the bursts should have refunded something";

  // After the last restart the checker settles whatever the crashes left pending.
  const json sandbox_account = sandbox_config_;
  const SystemClock clock;
  auto channel = sandbox_channel(sandbox_account, clock);
  std::set<std::string> seen;
  auto client = merchant();
  for (const std::string& id : orders) {
    json refunds;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (true) {
      refunds = client.get("/api/v1/orders/" + id + "/refunds").data()["refunds"];
      bool pending = false;
      for (const json& refund : refunds) pending = pending || refund["status"] == "pending";
      if (!pending) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "refunds of " << id << " stay pending";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Order trade;
    trade.order_id = OrderId{id};
    trade.amount = Money{kAmount, Currency::kCny};
    std::int64_t succeeded_total = 0;
    for (const json& refund : refunds) {
      const std::string refund_id = refund["refund_id"];
      seen.insert(refund_id);
      // The channel is the truth: succeeded here exactly when the channel refunded it, for that amount.
      auto at_channel = channel->refund_query(trade, refund_id);
      ASSERT_TRUE(at_channel.ok()) << at_channel.error().message;
      if (refund["status"] == "succeeded") {
        EXPECT_EQ(at_channel->status, ChannelRefundStatus::kSucceeded) << refund_id;
        EXPECT_EQ(at_channel->amount_minor, refund["amount"].get<std::int64_t>()) << refund_id;
        succeeded_total += refund["amount"].get<std::int64_t>();
      } else {
        EXPECT_EQ(at_channel->status, ChannelRefundStatus::kNotFound) << refund_id << " failed here";
      }
    }
    const json order = client.get("/api/v1/orders/" + id).data();
    EXPECT_EQ(order["refunded_amount"], succeeded_total) << id;
    EXPECT_EQ(order["refunding_amount"], 0) << id;
    EXPECT_LE(succeeded_total, kAmount);
  }
  for (const std::string& refund_id : acknowledged)
    EXPECT_TRUE(seen.count(refund_id)) << refund_id << " was lost";

  ASSERT_EQ(gateway_->terminate(), 0);
  gateway_.reset();
  expect_books_sound(dir_.path() + "/data");
}

}  // namespace
}  // namespace paygate::test
