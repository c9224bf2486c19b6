#include "main/sandbox_runtime.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "fmt/format.h"
#include "main/runtime.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

// Loads the key at path, or creates and saves it (mode 0600) on first start.
Result<crypto::RsaPrivateKey> load_or_create_key(const std::string& path) {
  if (std::filesystem::exists(path)) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    auto key = crypto::RsaPrivateKey::from_pem(text.str());
    if (!key.ok())
      return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", path, key.error().message));
    return key;
  }
  auto key = crypto::RsaPrivateKey::generate(2048);
  if (auto status = write_file_atomically(path, key.to_pkcs8_pem(), 0600); !status)
    return std::move(status).error();
  return key;
}

}  // namespace

Result<std::unique_ptr<SandboxRuntime>> SandboxRuntime::start(const std::string& data_dir,
                                                              const std::string& listen,
                                                              double notify_retry_scale, const Clock& clock) {
  Config scratch;
  if (auto status = set_listen(scratch, listen); !status) {
    return make_error(ErrorCode::kInvalidParameter, "sandbox " + status.error().message);
  }
  const std::string dir = data_dir + "/sandbox";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", dir, ec.message()));

  std::unique_ptr<SandboxRuntime> runtime(new SandboxRuntime());
  auto platform_key = load_or_create_key(dir + "/alipay_platform_key.pem");
  if (!platform_key.ok()) return std::move(platform_key).error();
  auto app_key = load_or_create_key(dir + "/alipay_app_key.pem");
  if (!app_key.ok()) return std::move(app_key).error();
  runtime->platform_key_.emplace(std::move(platform_key).value());
  runtime->app_key_.emplace(std::move(app_key).value());

  SandboxRuntime* self = runtime.get();
  runtime->server_ = std::make_unique<http::Server>(
      http::ServerLimits{},
      [self](const http::Request& request, http::Responder respond) {
        self->sandbox_->handle(request, std::move(respond));
      },
      runtime->metrics_);
  auto bound = runtime->server_->listen(scratch.server.listen_host, scratch.server.listen_port);
  if (!bound.ok()) return std::move(bound).error();
  runtime->base_url_ = fmt::format("http://{}:{}", scratch.server.listen_host, *bound);
  runtime->sandbox_ = std::make_unique<alipay::AlipaySandbox>(*runtime->platform_key_, clock,
                                                              runtime->base_url_, notify_retry_scale);
  runtime->sandbox_->register_app(
      kSandboxAlipayAppId, crypto::RsaPublicKey::from_pem(runtime->app_key_->public_key_pem()).value());

  const nlohmann::json alipay = {{"app_id", kSandboxAlipayAppId},
                                 {"app_private_key", runtime->app_key_->to_pkcs8_pem()},
                                 {"alipay_public_key", runtime->platform_key_->public_key_pem()},
                                 {"gateway_url", runtime->base_url_ + "/gateway.do"}};
  if (auto status = write_file_atomically(dir + "/alipay.json", alipay.dump(2) + "\n", 0600); !status) {
    return std::move(status).error();
  }
  return runtime;
}

SandboxRuntime::~SandboxRuntime() { stop(); }

alipay::AlipayAccount SandboxRuntime::alipay_account(const std::string& account_id) const {
  return alipay::AlipayAccount{account_id,
                               kSandboxAlipayAppId,
                               *app_key_,
                               crypto::RsaPublicKey::from_pem(platform_key_->public_key_pem()).value(),
                               base_url_ + "/gateway.do",
                               10'000,
                               ""};
}

void SandboxRuntime::run() { server_->run(2, {}); }

void SandboxRuntime::run_in_background() {
  thread_ = std::thread([this] { server_->run(2, {}); });
}

void SandboxRuntime::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace paygate::cli
