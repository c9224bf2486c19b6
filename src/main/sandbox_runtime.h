// Starting the channel simulators, for `paygate sandbox` (alone) and `paygate serve --sandbox` (in-process,
// with channel accounts wired to them). Keys persist in <data-dir>/sandbox; alipay.json describes the
// sandbox to merchant developers (it holds a private key: mode 0600).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "api/http_server.h"
#include "infra/channels/alipay/alipay_gateway.h"
#include "sandbox/alipay/alipay_sandbox.h"

namespace paygate::cli {

class SandboxRuntime {
 public:
  static Result<std::unique_ptr<SandboxRuntime>> start(const std::string& data_dir, const std::string& listen,
                                                       double notify_retry_scale, const Clock& clock);
  ~SandboxRuntime();

  // The Alipay account a gateway uses to talk to this sandbox.
  alipay::AlipayAccount alipay_account(const std::string& account_id) const;
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
  std::unique_ptr<http::Server> server_;
  std::string base_url_;
  std::thread thread_;
};

inline constexpr const char* kSandboxAlipayAppId = "9021000000000001";

}  // namespace paygate::cli
