// The WeChat Pay sandbox: a local WeChat Pay APIv3 (/v3/...) that verifies merchants' request signatures as
// WeChat does, keeps transaction and refund state, signs every answer and callback with its platform key,
// serves its platform certificates encrypted with each merchant's APIv3 key, and rotates that key on command,
// so the gateway and merchant developers (with the official SDKs) can work without the internet.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/time.h"
#include "core/timer_queue.h"
#include "crypto/rsa.h"
#include "crypto/x509.h"
#include "infra/channels/wechatpay/codec.h"
#include "net/http_types.h"
#include "sandbox/common/faults.h"
#include "sandbox/common/notify_sender.h"
#include "sandbox/wechatpay/trade_book.h"

namespace paygate::wechatpay {

struct SandboxMerchant {
  std::string mchid;
  std::string appid;
  crypto::RsaPublicKey merchant_public_key;
  std::string merchant_serial;
  std::string apiv3_key;
};

// A platform key and its certificate.
struct PlatformIdentity {
  crypto::RsaPrivateKey key;
  crypto::Certificate certificate;

  // key with a new self-signed certificate (random serial) valid from an hour ago for validity_days.
  static PlatformIdentity issue(crypto::RsaPrivateKey key, std::string_view common_name, std::int64_t now_ms,
                                int validity_days = 5 * 365);
  static PlatformIdentity generate(std::int64_t now_ms) {
    return issue(crypto::RsaPrivateKey::generate(2048), "WeChat Pay sandbox platform", now_ms);
  }
};

class WechatpaySandbox {
 public:
  // notify_retry_scale compresses WeChat Pay's callback retry schedule (1.0 = real time).
  WechatpaySandbox(PlatformIdentity platform, const Clock& clock, std::string public_base_url,
                   double notify_retry_scale = 1.0);

  void register_merchant(SandboxMerchant merchant);

  // Routes: /v3/..., POST /sandbox/wechatpay/pay, POST /sandbox/wechatpay/rotate, /sandbox/wechatpay/faults.
  void handle(const http::Request& request, http::Responder respond);
  static bool serves(std::string_view path);

  // A new platform key signs from now on; every certificate stays served (and trusted) until it expires.
  const crypto::Certificate& rotate();
  std::vector<crypto::Certificate> certificates() const;
  // Public-key mode (newer merchants): answers and callbacks name the platform key by kPublicKeyId instead of
  // a certificate serial. POST /sandbox/wechatpay/public-key-mode {"enabled":true|false} sets it too.
  static constexpr const char* kPublicKeyId = "PUB_KEY_ID_0119000001092026112200000001";
  void set_public_key_mode(bool enabled) { public_key_mode_ = enabled; }
  // The key that signs now, for merchants configured in public-key mode.
  std::string platform_public_key_pem() const;
  // Called after every rotation, e.g. to rewrite wechatpay.json.
  void on_rotate(std::function<void()> listener) { on_rotate_ = std::move(listener); }

  const TradeBook& transactions() const { return book_; }
  sandbox::NotifySender::Stats notify_stats() const { return notifies_.stats(); }
  sandbox::FaultInjector& faults() { return faults_; }

 private:
  http::Response api(const http::Request& request);
  http::Response transact(const SandboxMerchant& merchant, const std::string& trade_type,
                          const std::string& body);
  http::Response refund(const SandboxMerchant& merchant, const std::string& body);
  http::Response trade_bill(const SandboxMerchant& merchant, std::string_view query);
  http::Response pay(const http::Request& request);
  http::Response signed_reply(int status, std::string body) const;
  SignatureHeaders sign(std::string_view body, std::int64_t now_ms) const;
  http::Response refusal(const Refusal& refusal) const;
  void send_callback(const SandboxMerchant& merchant, const std::string& notify_url,
                     const std::string& event_type, const std::string& summary,
                     const std::string& original_type, const std::string& plaintext);
  void schedule_refund_end(const SandboxMerchant& merchant, const std::string& out_refund_no);
  std::optional<SandboxMerchant> merchant(const std::string& mchid) const;

  const Clock& clock_;
  const std::string public_base_url_;
  mutable std::mutex platform_mutex_;
  std::vector<PlatformIdentity> platform_;  // the last one signs
  std::function<void()> on_rotate_;
  std::atomic<bool> public_key_mode_{false};
  mutable std::mutex merchants_mutex_;
  std::map<std::string, SandboxMerchant> merchants_;
  std::mutex bills_mutex_;
  std::map<std::string, std::string> bills_by_token_;  // file bytes; the oldest go first beyond a bound

  TradeBook book_;
  sandbox::FaultInjector faults_;
  sandbox::NotifySender notifies_;
  TimerQueue timers_;  // delayed answers and refunds finishing
};

}  // namespace paygate::wechatpay
