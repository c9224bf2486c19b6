// Graceful shutdown under load: SIGTERM while clients create and pay orders makes the gateway stop taking
// new work, finish what it accepted, flush the store and exit 0 within its shutdown deadline; after a
// restart every acknowledged order is there with its payment, and the books are sound.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class GracefulShutdown : public SandboxedGateway {};

TEST_F(GracefulShutdown, SigtermUnderLoadLosesNothingAndExitsInTime) {
  start("", "[server]\nshutdown_timeout_ms = 5000\n");
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> sequence{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      try {
        MerchantClient client(gateway_->endpoint(), gateway_->demo_merchant());
        while (!stop) {
          json body = order_body("drain-" + std::to_string(sequence++), 800);
          body["channel"] = "alipay";
          body["method"] = "qr";
          auto created = client.post("/api/v1/orders", body.dump());
          if (created.status != 201) continue;  // 503 SHUTTING_DOWN once the drain began: not acknowledged
          std::lock_guard lock(mutex);
          acknowledged.insert(created.data()["order_id"].get<std::string>());
        }
      } catch (const std::exception&) {
        // The server closed the connection after the drain: expected.
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(gateway_->terminate(), 0);
  const auto exited_in = std::chrono::steady_clock::now() - signalled;
  stop = true;
  for (auto& thread : clients) thread.join();
  EXPECT_LT(exited_in, std::chrono::seconds(10)) << "the shutdown deadline is 5 s";
  ASSERT_GT(acknowledged.size(), 10u);

  gateway_->start();
  auto client = merchant();
  for (const std::string& id : acknowledged) {
    const json order = client.get("/api/v1/orders/" + id).data();
    EXPECT_EQ(order["order_id"], id) << "acknowledged before the shutdown, so it must be here";
    EXPECT_FALSE(order["payment_url"].is_null()) << "its QR code was recorded before the answer went out";
  }
  ASSERT_EQ(gateway_->terminate(), 0);
  gateway_.reset();
  expect_books_sound(dir_.path() + "/data");
}

}  // namespace
}  // namespace paygate::test
