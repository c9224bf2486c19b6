// A test fixture: the real paygate binary with its in-process Alipay sandbox in a temp dir, a merchant
// client, the sandbox's payer simulation and fault knobs, and a look into the store's outbox.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "core/time.h"
#include "crypto/rsa.h"
#include "infra/channels/alipay/codec.h"
#include "ports/channel_gateway.h"
#include "tests/integration/harness.h"

namespace paygate::test {

std::string read_text(const std::string& path);

// The asynchronous notify Alipay sends for order (as the API shows it) of the sandbox app app_id, not yet
// signed (tests tamper with it first): status TRADE_SUCCESS pays the order's full amount.
alipay::Params alipay_trade_notify(const nlohmann::json& order, const std::string& app_id,
                                   const std::string& notify_id, const std::string& trade_no,
                                   const std::string& status = "TRADE_SUCCESS");

// An Alipay adapter on the sandbox's app, from its alipay.json: for tests that act at the channel directly
// (refund outside paygate, ask the channel what it knows). clock must outlive it.
std::unique_ptr<ChannelGateway> sandbox_channel(const nlohmann::json& alipay_json, const Clock& clock);

// For a sandbox in its own process (it keeps the channel's truth while the gateway crashes): writes its keys
// and a paygate.toml under dir whose Alipay account "alipay-ext" points at it, plus extra_toml; returns the
// config's path.
std::string write_external_sandbox_config(const std::string& dir, const nlohmann::json& alipay_json,
                                          const std::string& extra_toml,
                                          std::uint32_t channel_timeout_ms = 2'000);

// The same for WeChat Pay: writes the merchant key and APIv3 key under dir and returns the TOML of a
// [[channels.wechatpay]] account "wechatpay-ext" pointing at the sandbox that wrote wechatpay_json.
std::string external_wechatpay_account_toml(const std::string& dir, const nlohmann::json& wechatpay_json,
                                            std::uint32_t channel_timeout_ms = 2'000);
// A WeChat Pay adapter on the sandbox's merchant, from its wechatpay.json (clock must outlive it).
std::unique_ptr<ChannelGateway> sandbox_wechatpay_channel(const nlohmann::json& wechatpay_json,
                                                          const Clock& clock);

class SandboxedGateway : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  // public_url: where the sandbox sends notifies; a dead address simulates notifies that never arrive.
  // extra_config: more TOML for paygate.toml.
  void start(const std::string& public_url = "", const std::string& extra_config = "") {
    const std::string config_path = dir_.path() + "/paygate.toml";
    std::ofstream(config_path) << (public_url.empty() ? ""
                                                      : "[server]\npublic_url = \"" + public_url + "\"\n")
                               << extra_config;
    gateway_.emplace(dir_.path() + "/data",
                     std::vector<std::string>{"--config", config_path, "--sandbox", "--sandbox-listen",
                                              "127.0.0.1:0", "--sandbox-notify-retry-scale", "0.001"});
    restart();
  }
  // Starts the (stopped) gateway again; its in-process sandbox gets a new port, read here.
  void restart() {
    gateway_->start();
    const json sandbox = json::parse(read_text(dir_.path() + "/data/sandbox/alipay.json"));
    sandbox_base_ = sandbox["gateway_url"].get<std::string>();
    sandbox_base_.resize(sandbox_base_.size() - std::string("/gateway.do").size());
    app_id_ = sandbox["app_id"];
    platform_key_.emplace(
        crypto::RsaPrivateKey::from_pem(read_text(dir_.path() + "/data/sandbox/alipay_platform_key.pem"))
            .value());
  }
  void TearDown() override {
    if (gateway_) {
      EXPECT_EQ(gateway_->terminate(), 0);
    }
  }

  MerchantClient merchant() { return MerchantClient(gateway_->endpoint(), gateway_->demo_merchant()); }

  json create_order(const std::string& channel, const std::string& method, const std::string& out_trade_no,
                    std::int64_t amount) {
    json body = order_body(out_trade_no, amount);
    body["channel"] = channel;
    body["method"] = method;
    auto response = merchant().post("/api/v1/orders", body.dump());
    EXPECT_EQ(response.status, 201) << response.raw.body;
    return response.data();
  }
  json create_alipay_order(const std::string& out_trade_no, std::int64_t amount) {
    return create_order("alipay", "qr", out_trade_no, amount);
  }
  json create_wechatpay_order(const std::string& out_trade_no, std::int64_t amount) {
    return create_order("wechatpay", "native", out_trade_no, amount);
  }
  // The payer pays at the WeChat Pay sandbox, which then sends the encrypted callback.
  int wechatpay_pay(const std::string& order_id) {
    return sandbox_post("/sandbox/wechatpay/pay", json{{"mchid", "1900000109"}, {"out_trade_no", order_id}})
        .status;
  }
  http::ClientResponse sandbox_post(const std::string& path, const json& body) {
    auto url = http::parse_http_url(sandbox_base_ + path).value();
    http::Client client(url.endpoint);
    auto response = client.send("POST", url.target, {}, body.dump());
    return response.ok() ? std::move(response).value()
                         : http::ClientResponse{-1, {}, response.error().message};
  }

  int sandbox_pay(const std::string& order_id) {
    auto url = http::parse_http_url(sandbox_base_ + "/sandbox/alipay/pay").value();
    http::Client client(url.endpoint);
    auto response =
        client.send("POST", url.target, {}, json{{"app_id", app_id_}, {"out_trade_no", order_id}}.dump());
    return response.ok() ? response->status : -1;
  }

  // Waits for the condition "the order has this status", bounded.
  json wait_for_status(const std::string& order_id, const std::string& status) {
    return wait_for_status_at("/api/v1/orders/" + order_id, status);
  }
  // Waits for the condition "the refund has this status", bounded.
  json wait_for_refund(const std::string& refund_id, const std::string& status) {
    return wait_for_status_at("/api/v1/refunds/" + refund_id, status);
  }
  // Polls the resource at target until its status is this one or 20 s have passed; returns it as it stands.
  json wait_for_status_at(const std::string& target, const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto client = merchant();
    while (true) {
      json resource = client.get(target).data();
      if (resource["status"] == status || std::chrono::steady_clock::now() > deadline) return resource;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::int64_t outbox_events(const std::string& order_id, const std::string& type = "");
  // Channel notifies recorded in the inbox for the order.
  std::int64_t inbox_notifies(const std::string& order_id);
  // Sets sandbox fault knobs (a JSON object); returns the HTTP status.
  int sandbox_faults(const nlohmann::json& knobs);

  TempDir dir_;
  std::optional<GatewayProcess> gateway_;
  std::string sandbox_base_;
  std::string app_id_;
  std::optional<crypto::RsaPrivateKey> platform_key_;
};

}  // namespace paygate::test
