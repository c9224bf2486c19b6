#include "main/sandbox_runtime.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/log.h"
#include "crypto/random.h"
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

// A key and a self-signed certificate for it, loaded from key_path/cert_path or created on first start. The
// sandbox's platform identity and the sandbox merchant's API certificate both persist, so serials stay put
// for merchant developers who saved them.
Result<wechatpay::PlatformIdentity> load_or_create_identity(const std::string& key_path,
                                                            const std::string& cert_path,
                                                            std::string_view common_name,
                                                            std::int64_t now_ms) {
  auto key = load_or_create_key(key_path);
  if (!key.ok()) return std::move(key).error();
  if (auto text = read_text_file(cert_path)) {
    auto certificate = crypto::Certificate::from_pem(*text);
    if (!certificate.ok())
      return make_error(ErrorCode::kInvalidParameter,
                        fmt::format("{}: {}", cert_path, certificate.error().message));
    if (certificate->valid_at(now_ms))
      return wechatpay::PlatformIdentity{*key, std::move(certificate).value()};
  }
  wechatpay::PlatformIdentity fresh = wechatpay::PlatformIdentity::issue(*key, common_name, now_ms);
  if (auto status = write_file_atomically(cert_path, fresh.certificate.to_pem(), 0600); !status)
    return std::move(status).error();
  return fresh;
}

Result<std::string> load_or_create_apiv3_key(const std::string& path) {
  if (auto text = read_text_file(path)) {
    if (!wechatpay::is_apiv3_key(*text))
      return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: not a 32-byte APIv3 key", path));
    return *text;
  }
  std::string key = crypto::random_base62(32);
  if (auto status = write_file_atomically(path, key, 0600); !status) return std::move(status).error();
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
        if (wechatpay::WechatpaySandbox::serves(request.path()))
          return self->wechatpay_->handle(request, std::move(respond));
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

  const std::int64_t now_ms = clock.now_unix_ms();
  auto platform =
      load_or_create_identity(dir + "/wechatpay_platform_key.pem", dir + "/wechatpay_platform_cert.pem",
                              "WeChat Pay sandbox platform", now_ms);
  if (!platform.ok()) return std::move(platform).error();
  auto merchant =
      load_or_create_identity(dir + "/wechatpay_merchant_key.pem", dir + "/wechatpay_merchant_cert.pem",
                              "WeChat Pay sandbox merchant " + std::string(kSandboxWechatpayMchid), now_ms);
  if (!merchant.ok()) return std::move(merchant).error();
  auto apiv3_key = load_or_create_apiv3_key(dir + "/wechatpay_apiv3_key");
  if (!apiv3_key.ok()) return std::move(apiv3_key).error();
  runtime->wechatpay_merchant_key_.emplace(merchant->key);
  runtime->wechatpay_merchant_serial_ = merchant->certificate.serial_hex();
  runtime->wechatpay_apiv3_key_ = *apiv3_key;
  runtime->wechatpay_ = std::make_unique<wechatpay::WechatpaySandbox>(std::move(platform).value(), clock,
                                                                      runtime->base_url_, notify_retry_scale);
  runtime->wechatpay_->register_merchant(wechatpay::SandboxMerchant{
      kSandboxWechatpayMchid, kSandboxWechatpayAppid, merchant->certificate.public_key().value(),
      runtime->wechatpay_merchant_serial_, *apiv3_key});
  const std::string description = dir + "/wechatpay.json";
  if (auto status = runtime->write_wechatpay_description(description); !status)
    return std::move(status).error();
  // Merchant developers reading the file see the certificates the sandbox serves now.
  runtime->wechatpay_->on_rotate([self, description] {
    if (auto status = self->write_wechatpay_description(description); !status)
      log::warn("sandbox_wechatpay_json", {{"error", status.error().message}});
  });
  // Written last: tools and tests take alipay.json appearing as "both sandboxes are described".
  const nlohmann::json alipay = {{"app_id", kSandboxAlipayAppId},
                                 {"app_private_key", runtime->app_key_->to_pkcs8_pem()},
                                 {"alipay_public_key", runtime->platform_key_->public_key_pem()},
                                 {"gateway_url", runtime->base_url_ + "/gateway.do"}};
  if (auto status = write_file_atomically(dir + "/alipay.json", alipay.dump(2) + "\n", 0600); !status) {
    return std::move(status).error();
  }
  return runtime;
}

Status SandboxRuntime::write_wechatpay_description(const std::string& path) const {
  nlohmann::json certificates = nlohmann::json::object();
  for (const crypto::Certificate& certificate : wechatpay_->certificates())
    certificates[certificate.serial_hex()] = certificate.to_pem();
  const nlohmann::json description = {{"mchid", kSandboxWechatpayMchid},
                                      {"appid", kSandboxWechatpayAppid},
                                      {"merchant_private_key", wechatpay_merchant_key_->to_pkcs8_pem()},
                                      {"merchant_serial", wechatpay_merchant_serial_},
                                      {"platform_certificates", std::move(certificates)},
                                      {"apiv3_key", wechatpay_apiv3_key_},
                                      {"base_url", base_url_}};
  return write_file_atomically(path, description.dump(2) + "\n", 0600);
}

wechatpay::WechatpayAccount SandboxRuntime::wechatpay_account(const std::string& account_id) const {
  wechatpay::WechatpayAccount account{account_id,
                                      kSandboxWechatpayMchid,
                                      kSandboxWechatpayAppid,
                                      *wechatpay_merchant_key_,
                                      wechatpay_merchant_serial_,
                                      wechatpay_apiv3_key_};
  account.base_url = base_url_;
  return account;
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
