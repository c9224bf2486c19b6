// `paygate sandbox`: the channel simulators on their own listener. Keys persist in <data-dir>/sandbox so a
// restart keeps the identities merchant developers configured; alipay.json tells an SDK how to connect.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/http_server.h"
#include "core/log.h"
#include "fmt/format.h"
#include "main/commands.h"
#include "nlohmann/json.hpp"
#include "sandbox/alipay/alipay_sandbox.h"

namespace paygate::cli {
namespace {

// The sandbox's one Alipay application. Real app ids are 16 digits starting with the year.
constexpr const char* kSandboxAlipayAppId = "9021000000000001";

// Loads the key at path, or creates and saves it (mode 0600) on first start.
Result<crypto::RsaPrivateKey> load_or_create_key(const std::string& path) {
  if (std::filesystem::exists(path)) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    auto key = crypto::RsaPrivateKey::from_pem(text.str());
    if (!key.ok()) return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", path, key.error().message));
    return key;
  }
  auto key = crypto::RsaPrivateKey::generate(2048);
  if (auto status = write_file_atomically(path, key.to_pkcs8_pem(), 0600); !status) return std::move(status).error();
  return key;
}

}  // namespace

int run_sandbox(const CommonOptions& common, const std::string& listen, double notify_retry_scale) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  log::init(*log::parse_level(config->log.level));
  std::string host = "127.0.0.1";
  std::uint16_t port = 8090;
  if (!listen.empty()) {
    Config scratch;
    if (auto status = set_listen(scratch, listen); !status) return fail(status.error().message);
    host = scratch.server.listen_host;
    port = scratch.server.listen_port;
  }
  const std::string dir = config->store.data_dir + "/sandbox";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(fmt::format("{}: {}", dir, ec.message()));
  auto platform_key = load_or_create_key(dir + "/alipay_platform_key.pem");
  if (!platform_key.ok()) return fail(platform_key.error().message);
  auto app_key = load_or_create_key(dir + "/alipay_app_key.pem");
  if (!app_key.ok()) return fail(app_key.error().message);

  SystemClock clock;
  MetricsRegistry metrics;
  std::optional<alipay::AlipaySandbox> sandbox;
  http::Server server(http::ServerLimits{}, [&sandbox](const http::Request& request, http::Responder respond) {
    sandbox->handle(request, std::move(respond));
  }, metrics);
  auto bound = server.listen(host, port);
  if (!bound.ok()) return fail(bound.error().message);
  const std::string base_url = fmt::format("http://{}:{}", host, *bound);
  sandbox.emplace(*platform_key, clock, base_url, notify_retry_scale);
  sandbox->register_app(kSandboxAlipayAppId, crypto::RsaPublicKey::from_pem(app_key->public_key_pem()).value());

  // Everything a merchant developer needs to point an official SDK at this sandbox (holds a private key).
  const nlohmann::json alipay = {{"app_id", kSandboxAlipayAppId},
                                 {"app_private_key", app_key->to_pkcs8_pem()},
                                 {"alipay_public_key", platform_key->public_key_pem()},
                                 {"gateway_url", base_url + "/gateway.do"}};
  if (auto status = write_file_atomically(dir + "/alipay.json", alipay.dump(2) + "\n", 0600); !status) {
    return fail(status.error().message);
  }
  log::info("sandbox_ready", {{"listen", base_url}, {"alipay_app_id", kSandboxAlipayAppId},
                              {"pid", static_cast<std::int64_t>(::getpid())}});
  log::flush();
  server.run(2, {});
  log::info("sandbox_stopped", {});
  log::flush();
  return 0;
}

}  // namespace paygate::cli
