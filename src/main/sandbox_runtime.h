// Starting the channel simulators, for `paygate sandbox` (alone) and `paygate serve --sandbox` (in-process,
// with channel accounts wired to them). Keys persist in <data-dir>/sandbox; alipay.json and wechatpay.json
// describe the sandboxes to merchant developers (they hold private keys: mode 0600).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "infra/channels/alipay/alipay_gateway.h"
#include "infra/channels/wechatpay/wechatpay_gateway.h"
#include "net/http_server.h"
#include "sandbox/alipay/alipay_sandbox.h"
#include "sandbox/wechatpay/wechatpay_sandbox.h"

namespace paygate::cli {

class SandboxRuntime {
 public:
  static Result<std::unique_ptr<SandboxRuntime>> start(const std::string& data_dir, const std::string& listen,
                                                       double notify_retry_scale, const Clock& clock);
  ~SandboxRuntime();

  // The Alipay account a gateway uses to talk to this sandbox.
  alipay::AlipayAccount alipay_account(const std::string& account_id) const;
  // The WeChat Pay merchant a gateway uses; it downloads the platform certificates like any merchant.
  wechatpay::WechatpayAccount wechatpay_account(const std::string& account_id) const;
  const std::string& base_url() const { return base_url_; }

  // Serves on the calling thread until SIGINT/SIGTERM.
  void run();
  // Serves on a thread of its own; stop() ends it.
  void run_in_background();
  void stop();

 private:
  SandboxRuntime() = default;

  MetricsRegistry metrics_;
  std::optional<crypto::RsaPrivateKey> platform_key_;
  std::optional<crypto::RsaPrivateKey> app_key_;
  std::unique_ptr<alipay::AlipaySandbox> sandbox_;
  std::optional<crypto::RsaPrivateKey> wechatpay_merchant_key_;
  std::string wechatpay_merchant_serial_;
  std::string wechatpay_apiv3_key_;
  std::unique_ptr<wechatpay::WechatpaySandbox> wechatpay_;
  Status write_wechatpay_description(const std::string& path) const;
  std::unique_ptr<http::Server> server_;
  std::string base_url_;
  std::thread thread_;
};

inline constexpr const char* kSandboxAlipayAppId = "9021000000000001";
inline constexpr const char* kSandboxWechatpayMchid = "1900000109";
inline constexpr const char* kSandboxWechatpayAppid = "wxd678efh567hg6787";

}  // namespace paygate::cli
