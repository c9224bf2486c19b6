// An acknowledgement is a promise that survives power loss (DESIGN §6: nothing is answered before its
// fsync). The real binary runs under tests/fault/power_cut_shim.cpp while merchants create orders and the
// channel's signed notifies pay them; on cue the shim cuts the power in the middle of a WAL fsync, and the
// test puts the WAL back to what had been fsynced, so every write that was not yet durable is gone. After
// the restart every create that was answered 201 and every notify that was answered "success" must still
// be there — active queries are pushed past the test, so nothing but the store can put them back. The
// channel then resends its notifies, every order ends paid exactly once, and the books balance.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "crypto/rsa.h"
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

constexpr int kLoadThreads = 6;
constexpr std::size_t kPaidBeforeTheCut = 150;

// What the gateway acknowledged before the cut, and the notify the channel holds for each created order.
struct Acknowledged {
  std::mutex mutex;
  std::map<std::string, std::string> notify_by_order;  // every order answered 201 → its signed notify
  std::set<std::string> paid;                          // orders whose notify was answered "success"

  std::size_t paid_count() {
    std::lock_guard lock(mutex);
    return paid.size();
  }
};

class PowerCut : public ::testing::Test {
 protected:
  // extra_toml: more configuration for the gateway.
  void start_config(const std::string& extra_toml = "") {
    // The gateways below abort on purpose: no core files (the limit is inherited by the children).
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    core.rlim_cur = 0;
    setrlimit(RLIMIT_CORE, &core);
    data_ = dir_.path() + "/data";
    std::filesystem::create_directories(data_);
    const std::string config = dir_.path() + "/paygate.toml";
    // No active query may rescue a lost payment: only what the store kept counts.
    std::ofstream(config) << "[orders]\nquery_first_ms = 600000\n" << extra_toml;
    gateway_.emplace(
        data_, std::vector<std::string>{"--config", config, "--sandbox", "--sandbox-listen", "127.0.0.1:0"});
  }

  // Runs the load until kPaidBeforeTheCut payments are acknowledged, pulls the trigger and waits for the
  // gateway to die; returns its exit code. thread: only an fsync from the thread of this name cuts.
  int cut_under_load(const std::string& mode, const std::string& thread = "") {
    const std::string trigger = dir_.path() + "/cut-now";
    std::vector<std::string> environment = {"LD_PRELOAD=" PAYGATE_POWER_CUT_SHIM,
                                            "PAYGATE_POWER_CUT_TRIGGER=" + trigger,
                                            "PAYGATE_POWER_CUT_MODE=" + mode};
    if (!thread.empty()) environment.push_back("PAYGATE_POWER_CUT_THREAD=" + thread);
    gateway_->set_environment(std::move(environment));
    gateway_->start();
    const json sandbox = json::parse(read_text(data_ + "/sandbox/alipay.json"));
    const std::string app_id = sandbox.at("app_id");
    const auto channel_key =
        crypto::RsaPrivateKey::from_pem(read_text(data_ + "/sandbox/alipay_platform_key.pem")).value();
    const Credentials credentials = gateway_->demo_merchant();
    const http::Endpoint endpoint = gateway_->endpoint();

    std::atomic<bool> down{false};
    std::vector<std::thread> load;
    for (int t = 0; t < kLoadThreads; ++t) {
      load.emplace_back([&, t] {
        MerchantClient merchant(endpoint, credentials);
        http::Client channel(endpoint);
        try {
          for (int n = 0; !down; ++n) {
            json body = order_body("cut-" + std::to_string(t) + "-" + std::to_string(n), 100 + 7 * n % 900);
            body["channel"] = "alipay";
            body["method"] = "page";
            const auto created = merchant.post("/api/v1/orders", body.dump());
            if (created.status != 201) continue;
            const json& order = created.data();
            const std::string order_id = order.at("order_id");
            const std::string notify = signed_notify(order, app_id, channel_key, ++trade_sequence_);
            {
              std::lock_guard lock(acknowledged_.mutex);
              acknowledged_.notify_by_order[order_id] = notify;
            }
            const auto answer = channel.send("POST", "/notify/alipay/alipay-sandbox",
                                             {{"content-type", "application/x-www-form-urlencoded"}}, notify);
            if (!answer.ok()) break;
            if (answer->body == "success") {
              std::lock_guard lock(acknowledged_.mutex);
              acknowledged_.paid.insert(order_id);
            }
          }
        } catch (const std::exception&) {
          // The gateway went down under this thread's request: nothing was acknowledged by it.
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acknowledged_.paid_count() < kPaidBeforeTheCut && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_GE(acknowledged_.paid_count(), kPaidBeforeTheCut) << gateway_->log();
    std::ofstream(trigger) << "now\n";
    const int exit_code = gateway_->wait_for_exit(std::chrono::seconds(20));
    down = true;
    for (auto& thread : load) thread.join();
    return exit_code;
  }

  // What a power cut leaves on disk: the WAL as the last successful fsync made it. Returns how many bytes
  // the cut took away (the writes that had not been fsynced yet).
  std::size_t restore_what_was_durable() {
    const std::string wal = data_ + "/paygate.db-wal";
    const std::string image_path = wal + ".power-cut";
    EXPECT_TRUE(std::filesystem::exists(image_path)) << "the shim never cut the power";
    const std::string image = read_text(image_path);
    const std::string at_death = read_text(wal);
    std::size_t lost = at_death.size() > image.size() ? at_death.size() - image.size() : 0;
    for (std::size_t i = 0; i < std::min(image.size(), at_death.size()); ++i) lost += image[i] != at_death[i];
    std::ofstream(wal, std::ios::binary | std::ios::trunc) << image;
    std::filesystem::remove(image_path);
    return lost;
  }

  // After the restart: every acknowledgement held, the channel's resent notifies pay every order once, and
  // the books balance.
  void expect_every_acknowledgement_kept() {
    gateway_->set_environment({});
    gateway_->start();
    MerchantClient merchant(gateway_->endpoint(), gateway_->demo_merchant());
    for (const auto& [order_id, notify] : acknowledged_.notify_by_order) {
      const auto order = merchant.get("/api/v1/orders/" + order_id);
      ASSERT_EQ(order.status, 200) << "order " << order_id << " was answered 201 and is gone";
      if (acknowledged_.paid.count(order_id) != 0) {
        EXPECT_EQ(order.data()["status"], "succeeded")
            << "order " << order_id << "'s notify was answered success and the payment is gone";
      }
    }
    http::Client channel(gateway_->endpoint());
    for (const auto& [order_id, notify] : acknowledged_.notify_by_order) {
      const auto answer = channel.send("POST", "/notify/alipay/alipay-sandbox",
                                       {{"content-type", "application/x-www-form-urlencoded"}}, notify);
      ASSERT_TRUE(answer.ok());
      EXPECT_EQ(answer->body, "success") << order_id;
      EXPECT_EQ(merchant.get("/api/v1/orders/" + order_id).data()["status"], "succeeded") << order_id;
    }
    EXPECT_EQ(gateway_->terminate(), 0);
    expect_books_sound(data_);
  }

  static std::string signed_notify(const json& order, const std::string& app_id,
                                   const crypto::RsaPrivateKey& key, int trade_sequence) {
    alipay::Params params =
        alipay_trade_notify(order, app_id, "cut-" + order.at("order_id").get<std::string>(),
                            std::to_string(2026'0000'0000'0000LL + trade_sequence));
    params["sign"] = alipay::sign(params, alipay::SignScope::kNotify, key);
    return alipay::form_encode(params);
  }

  TempDir dir_;
  std::string data_;
  std::optional<GatewayProcess> gateway_;
  Acknowledged acknowledged_;
  std::atomic<int> trade_sequence_{0};
};

TEST_F(PowerCut, DuringAWalFsyncUnderLoadLosesNothingAcknowledged) {
  start_config();
  EXPECT_EQ(cut_under_load("kill"), 128 + SIGKILL);
  EXPECT_GT(restore_what_was_durable(), 0u) << "nothing was in flight when the power went: a test of nothing";
  expect_every_acknowledgement_kept();
}

TEST_F(PowerCut, AFailedWalFsyncStopsTheGatewayBeforeItAnswersAndLosesNothingAcknowledged) {
  // After a failed fsync the kernel may have dropped the pages it could not write: the gateway must stop
  // at once (never retry, never answer), which the log names.
  start_config();
  EXPECT_EQ(cut_under_load("eio"), 128 + SIGABRT);
  EXPECT_NE(gateway_->log().find("store_durability_lost"), std::string::npos) << gateway_->log();
  EXPECT_GT(restore_what_was_durable(), 0u);
  expect_every_acknowledgement_kept();
}

TEST_F(PowerCut, AFailedFsyncInACheckpointStopsTheGatewayToo) {
  // The kernel may report a failed writeback to one file descriptor only: the checkpointer's failed fsync
  // must stop the gateway itself, not leave it to the WAL syncer's next fsync.
  start_config("[store]\ncheckpoint_wal_pages = 64\n");
  EXPECT_EQ(cut_under_load("eio", "paygate-ckpt"), 128 + SIGABRT);
  EXPECT_NE(gateway_->log().find("\"step\":\"checkpoint\""), std::string::npos) << gateway_->log();
  restore_what_was_durable();
  expect_every_acknowledgement_kept();
}

}  // namespace
}  // namespace paygate::test
