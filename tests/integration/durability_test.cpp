// Proves uniqueness under concurrency and durability: 200 concurrent creates with duplicate out_trade_nos
// make exactly one order each; a restart keeps everything; kill -9 during a burst loses no acknowledged
// order.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

TEST(Durability, ConcurrentDuplicateCreatesMakeExactlyOneOrderEach) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  constexpr int kRequests = 200;
  constexpr int kDistinct = 50;  // every out_trade_no is sent by 4 concurrent clients
  std::mutex mutex;
  std::map<std::string, std::set<std::string>> order_ids_by_out_trade_no;
  std::map<int, int> statuses;
  std::vector<std::thread> clients;
  std::atomic<int> ready{0};
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&, i] {
      MerchantClient client(gateway.endpoint(), gateway.demo_merchant());
      const std::string out_trade_no = "race-" + std::to_string(i % kDistinct);
      // Line every thread up so the creates really overlap.
      ready.fetch_add(1);
      while (ready.load() < kRequests) std::this_thread::yield();
      auto response = client.post("/api/v1/orders", order_body(out_trade_no).dump());
      std::lock_guard lock(mutex);
      ++statuses[response.status];
      if (response.status == 200 || response.status == 201) {
        order_ids_by_out_trade_no[out_trade_no].insert(response.data()["order_id"].get<std::string>());
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(statuses[201], kDistinct);
  EXPECT_EQ(statuses[200], kRequests - kDistinct);
  ASSERT_EQ(order_ids_by_out_trade_no.size(), static_cast<std::size_t>(kDistinct));
  for (const auto& [out_trade_no, ids] : order_ids_by_out_trade_no) EXPECT_EQ(ids.size(), 1u) << out_trade_no;
  EXPECT_EQ(gateway.terminate(), 0);
}

TEST(Durability, RestartKeepsEverything) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  std::map<std::string, nlohmann::json> before;
  {
    MerchantClient client(gateway.endpoint(), gateway.demo_merchant());
    for (int i = 0; i < 20; ++i) {
      auto response = client.post("/api/v1/orders", order_body("keep-" + std::to_string(i), 100 + i).dump());
      ASSERT_EQ(response.status, 201);
      if (i % 5 == 0) {
        response =
            client.post("/api/v1/orders/" + response.data()["order_id"].get<std::string>() + "/close", "");
        ASSERT_EQ(response.status, 200);
      }
      before[response.data()["order_id"]] = response.data();
    }
  }
  const auto merchant = gateway.demo_merchant();
  EXPECT_EQ(gateway.terminate(), 0);
  gateway.start();
  EXPECT_EQ(gateway.demo_merchant().secret, merchant.secret) << "the demo merchant is created once";
  MerchantClient client(gateway.endpoint(), merchant);
  for (const auto& [id, order] : before) {
    auto response = client.get("/api/v1/orders/" + id);
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.data()["status"], order["status"]);
    EXPECT_EQ(response.data()["amount"], order["amount"]);
    EXPECT_EQ(response.data()["updated_at"], order["updated_at"]);
  }
  EXPECT_EQ(gateway.terminate(), 0);
}

TEST(Durability, KillNineDuringABurstLosesNoAcknowledgedOrder) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  const Credentials merchant = gateway.demo_merchant();
  constexpr int kClients = 16;
  constexpr int kAcknowledgedBeforeKill = 400;
  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // out_trade_no -> order_id
  std::atomic<int> acknowledged_count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      MerchantClient client(gateway.endpoint(), merchant);
      for (int i = 0; !stop.load(); ++i) {
        const std::string out_trade_no = "burst-" + std::to_string(c) + "-" + std::to_string(i);
        try {
          auto response = client.post("/api/v1/orders", order_body(out_trade_no).dump());
          if (response.status != 201) continue;
          std::lock_guard lock(mutex);
          acknowledged[out_trade_no] = response.data()["order_id"];
          acknowledged_count.fetch_add(1);
        } catch (const std::exception&) {
          return;  // the server died mid-request: that request was never acknowledged
        }
      }
    });
  }
  // Wait for the condition "enough writes acknowledged", then kill without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acknowledged_count.load() < kAcknowledgedBeforeKill && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  gateway.kill9();
  stop = true;
  for (auto& client : clients) client.join();
  ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(kAcknowledgedBeforeKill));

  gateway.start();
  MerchantClient client(gateway.endpoint(), merchant);
  for (const auto& [out_trade_no, order_id] : acknowledged) {
    auto response = client.get("/api/v1/orders?out_trade_no=" + out_trade_no);
    ASSERT_EQ(response.status, 200) << out_trade_no << " was acknowledged but is gone";
    EXPECT_EQ(response.data()["order_id"], order_id);
  }
  EXPECT_EQ(gateway.terminate(), 0);
}

}  // namespace
}  // namespace paygate::test
