#include "tests/integration/sandboxed_gateway.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "infra/channels/alipay/alipay_gateway.h"
#include "infra/store/sqlite/connection.h"

namespace paygate::test {

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
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

std::int64_t SandboxedGateway::outbox_events(const std::string& order_id, const std::string& type) {
  sqlite::Connection db(dir_.path() + "/data/paygate.db", sqlite::OpenMode::kReadOnly);
  auto row = db.prepare("SELECT COUNT(*) FROM outbox_events WHERE order_id = ? AND (? = '' OR type = ?)");
  row.bind(1, order_id).bind(2, type).bind(3, type);
  row.step();
  return row.column_int64(0);
}

int SandboxedGateway::sandbox_faults(const nlohmann::json& knobs) {
  auto url = http::parse_http_url(sandbox_base_ + "/sandbox/alipay/faults").value();
  http::Client client(url.endpoint);
  auto response = client.send("POST", url.target, {}, knobs.dump());
  return response.ok() ? response->status : -1;
}

}  // namespace paygate::test
