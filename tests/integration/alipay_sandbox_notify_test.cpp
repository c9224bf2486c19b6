// Proves the sandbox's asynchronous notify: signed as Alipay signs notifies (without sign_type), retried on
// Alipay's (compressed) schedule while the merchant answers anything but "success", and stopped by "success".
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/time.h"
#include "infra/channels/alipay/codec.h"
#include "net/http_server.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

using nlohmann::json;

// A merchant notify endpoint that fails the first `failures` deliveries, then answers "success".
class NotifyReceiver {
 public:
  explicit NotifyReceiver(int failures)
      : failures_(failures),
        server_(
            http::ServerLimits{},
            [this](const http::Request& request, http::Responder respond) {
              std::lock_guard lock(mutex_);
              bodies_.push_back(request.body);
              arrived_.notify_all();
              const bool fail = static_cast<int>(bodies_.size()) <= failures_;
              respond(http::Response{200, "text/plain", {}, fail ? "failure" : "success"});
            },
            metrics_) {
    port_ = server_.listen("127.0.0.1", 0).value();
    thread_ = std::thread([this] { server_.run(1, {}); });
  }
  ~NotifyReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/notify/alipay/acct-1"; }

  // Waits for the condition "count deliveries arrived", up to the deadline.
  std::vector<std::string> wait_for(std::size_t count, std::chrono::seconds deadline) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, deadline, [&] { return bodies_.size() >= count; });
    return bodies_;
  }

 private:
  const int failures_;
  MetricsRegistry metrics_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> bodies_;
  http::Server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(AlipaySandboxNotify, SignedRetriedUntilSuccess) {
  TempDir dir;
  // 4 min becomes 120 ms, 10 min 300 ms.
  GatewayProcess sandbox(dir.path(), {"--notify-retry-scale", "0.0005"}, "sandbox");
  sandbox.start();
  std::ifstream file(dir.path() + "/sandbox/alipay.json");
  std::stringstream text;
  text << file.rdbuf();
  const json config = json::parse(text.str());
  const auto app_key = crypto::RsaPrivateKey::from_pem(config["app_private_key"].get<std::string>()).value();
  const auto alipay_key =
      crypto::RsaPublicKey::from_pem(config["alipay_public_key"].get<std::string>()).value();

  NotifyReceiver receiver(2);
  alipay::Params params = {
      {"app_id", config["app_id"]},
      {"method", "alipay.trade.precreate"},
      {"charset", "utf-8"},
      {"sign_type", "RSA2"},
      {"timestamp", format_beijing_time(SystemClock{}.now_unix_ms())},
      {"version", "1.0"},
      {"notify_url", receiver.url()},
      {"biz_content", R"({"out_trade_no":"N-1","total_amount":"12.34","subject":"通知"})"}};
  params["sign"] = alipay::sign(params, alipay::SignScope::kRequest, app_key);
  http::Client client(sandbox.endpoint());
  auto created = client.send("POST", "/gateway.do", {{"content-type", "application/x-www-form-urlencoded"}},
                             alipay::form_encode(params));
  ASSERT_TRUE(created.ok());
  ASSERT_NE(created->body.find("\"10000\""), std::string::npos) << created->body;
  auto paid = client.send("POST", "/sandbox/alipay/pay", {},
                          json{{"app_id", config["app_id"]}, {"out_trade_no", "N-1"}}.dump());
  ASSERT_TRUE(paid.ok());
  ASSERT_EQ(paid->status, 200);

  const auto bodies = receiver.wait_for(3, std::chrono::seconds(20));
  ASSERT_EQ(bodies.size(), 3u) << "two failures, then the delivery that succeeds";
  std::string notify_id;
  for (const std::string& body : bodies) {
    auto notify = alipay::form_decode(body);
    ASSERT_TRUE(notify.ok());
    EXPECT_TRUE(alipay::verify(*notify, alipay::SignScope::kNotify, alipay_key));
    EXPECT_FALSE(alipay::verify(*notify, alipay::SignScope::kRequest, alipay_key))
        << "sign_type is not part of a notify's signed string";
    EXPECT_EQ(notify->at("trade_status"), "TRADE_SUCCESS");
    EXPECT_EQ(notify->at("total_amount"), "12.34");
    EXPECT_EQ(notify->at("out_trade_no"), "N-1");
    EXPECT_EQ(notify->at("app_id"), config["app_id"]);
    if (notify_id.empty()) notify_id = notify->at("notify_id");
    EXPECT_EQ(notify->at("notify_id"), notify_id) << "a retry is the same notify";
    alipay::Params tampered = *notify;
    tampered["total_amount"] = "0.01";
    EXPECT_FALSE(alipay::verify(tampered, alipay::SignScope::kNotify, alipay_key));
  }
  EXPECT_EQ(sandbox.terminate(), 0);
}

}  // namespace
}  // namespace paygate::test
