#include "tests/integration/sandboxed_gateway.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "infra/channels/alipay/alipay_gateway.h"
#include "infra/channels/wechatpay/wechatpay_gateway.h"
#include "tests/integration/test_store.h"

namespace paygate::test {

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

alipay::Params alipay_trade_notify(const nlohmann::json& order, const std::string& app_id,
                                   const std::string& notify_id, const std::string& trade_no,
                                   const std::string& status) {
  const std::string now = format_beijing_time(SystemClock{}.now_unix_ms());
  return {{"notify_time", now},
          {"notify_type", "trade_status_sync"},
          {"notify_id", notify_id},
          {"app_id", app_id},
          {"charset", "utf-8"},
          {"version", "1.0"},
          {"sign_type", "RSA2"},
          {"trade_no", trade_no},
          {"out_trade_no", order.at("order_id").get<std::string>()},
          {"trade_status", status},
          {"total_amount", alipay::fen_to_yuan(order.at("amount").get<std::int64_t>())},
          {"gmt_payment", now}};
}

std::unique_ptr<ChannelGateway> sandbox_channel(const nlohmann::json& alipay_json, const Clock& clock) {
  return alipay::AlipayGateway::create(
             alipay::AlipayAccount{
                 "test", alipay_json.at("app_id"),
                 crypto::RsaPrivateKey::from_pem(alipay_json.at("app_private_key").get<std::string>())
                     .value(),
                 crypto::RsaPublicKey::from_pem(alipay_json.at("alipay_public_key").get<std::string>())
                     .value(),
                 alipay_json.at("gateway_url"), 5'000, ""},
             clock)
      .value();
}

std::string external_wechatpay_account_toml(const std::string& dir, const nlohmann::json& wechatpay_json,
                                            std::uint32_t channel_timeout_ms) {
  const std::string keys = dir + "/keys";
  std::filesystem::create_directories(keys);
  std::ofstream(keys + "/wechatpay_merchant.pem")
      << wechatpay_json.at("merchant_private_key").get<std::string>();
  std::ofstream(keys + "/wechatpay_apiv3.key") << wechatpay_json.at("apiv3_key").get<std::string>();
  std::ostringstream toml;
  toml << "\n[[channels.wechatpay]]\nid = \"wechatpay-ext\"\n"
       << "mchid = \"" << wechatpay_json.at("mchid").get<std::string>() << "\"\n"
       << "appid = \"" << wechatpay_json.at("appid").get<std::string>() << "\"\n"
       << "merchant_private_key_file = \"" << keys << "/wechatpay_merchant.pem\"\n"
       << "merchant_serial = \"" << wechatpay_json.at("merchant_serial").get<std::string>() << "\"\n"
       << "apiv3_key_file = \"" << keys << "/wechatpay_apiv3.key\"\n"
       << "base_url = \"" << wechatpay_json.at("base_url").get<std::string>() << "\"\n"
       << "timeout_ms = " << channel_timeout_ms << "\n";
  return toml.str();
}

std::unique_ptr<ChannelGateway> sandbox_wechatpay_channel(const nlohmann::json& wechatpay_json,
                                                          const Clock& clock) {
  wechatpay::WechatpayAccount account{
      "test",
      wechatpay_json.at("mchid"),
      wechatpay_json.at("appid"),
      crypto::RsaPrivateKey::from_pem(wechatpay_json.at("merchant_private_key").get<std::string>()).value(),
      wechatpay_json.at("merchant_serial"),
      wechatpay_json.at("apiv3_key")};
  account.base_url = wechatpay_json.at("base_url");
  account.timeout_ms = 5'000;
  return wechatpay::WechatpayGateway::create(std::move(account), clock).value();
}

std::string write_external_sandbox_config(const std::string& dir, const nlohmann::json& alipay_json,
                                          const std::string& extra_toml, std::uint32_t channel_timeout_ms) {
  const std::string keys = dir + "/keys";
  std::filesystem::create_directories(keys);
  std::ofstream(keys + "/app.pem") << alipay_json.at("app_private_key").get<std::string>();
  std::ofstream(keys + "/alipay.pem") << alipay_json.at("alipay_public_key").get<std::string>();
  const std::string path = dir + "/paygate.toml";
  std::ofstream(path) << extra_toml << "\n[[channels.alipay]]\nid = \"alipay-ext\"\n"
                      << "app_id = \"" << alipay_json.at("app_id").get<std::string>() << "\"\n"
                      << "app_private_key_file = \"" << keys << "/app.pem\"\n"
                      << "alipay_public_key_file = \"" << keys << "/alipay.pem\"\n"
                      << "gateway_url = \"" << alipay_json.at("gateway_url").get<std::string>()
                      << "\"\ntimeout_ms = " << channel_timeout_ms << "\n";
  return path;
}

// Ids and event types are [A-Za-z0-9._-]: safe to quote into the SQL.
std::int64_t SandboxedGateway::outbox_events(const std::string& order_id, const std::string& type) {
  return query_store_int(dir_.path() + "/data", "SELECT COUNT(*) FROM outbox_events WHERE order_id = '" +
                                                    order_id + "'" +
                                                    (type.empty() ? "" : " AND type = '" + type + "'"));
}

std::int64_t SandboxedGateway::inbox_notifies(const std::string& order_id) {
  return query_store_int(dir_.path() + "/data",
                         "SELECT COUNT(*) FROM notify_inbox WHERE order_id = '" + order_id + "'");
}

int SandboxedGateway::sandbox_faults(const nlohmann::json& knobs) {
  auto url = http::parse_http_url(sandbox_base_ + "/sandbox/alipay/faults").value();
  http::Client client(url.endpoint);
  auto response = client.send("POST", url.target, {}, knobs.dump());
  return response.ok() ? response->status : -1;
}

}  // namespace paygate::test
