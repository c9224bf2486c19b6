// The Alipay sandbox: a local Alipay OpenAPI (POST /gateway.do) that verifies merchants' RSA2 signatures as
// Alipay does, keeps trade state, and signs every answer with its own key, so the gateway and merchant
// developers (with the official SDKs) can work without the internet.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "core/time.h"
#include "core/timer_queue.h"
#include "crypto/rsa.h"
#include "net/http_types.h"
#include "sandbox/alipay/trade_book.h"
#include "sandbox/common/faults.h"
#include "sandbox/common/notify_sender.h"

namespace paygate::alipay {

class AlipaySandbox {
 public:
  // notify_retry_scale compresses Alipay's notify retry schedule (1.0 = real time).
  AlipaySandbox(crypto::RsaPrivateKey alipay_key, const Clock& clock, std::string public_base_url,
                double notify_retry_scale = 1.0);

  // Trusts app_id's requests signed with the private half of app_public_key.
  void register_app(const std::string& app_id, crypto::RsaPublicKey app_public_key);

  // Routes: POST /gateway.do, POST /sandbox/alipay/pay.
  void handle(const http::Request& request, http::Responder respond);

  const TradeBook& trades() const { return trades_; }
  sandbox::NotifySender::Stats notify_stats() const { return notifies_.stats(); }
  sandbox::FaultInjector& faults() { return faults_; }

 private:
  http::Response gateway(const http::Request& request);
  http::Response pay(const http::Request& request);
  http::Response signed_reply(std::string_view method, const std::string& inner_json) const;

  crypto::RsaPrivateKey alipay_key_;
  const Clock& clock_;
  const std::string public_base_url_;
  std::mutex apps_mutex_;
  std::map<std::string, crypto::RsaPublicKey> apps_;
  void send_trade_notify(const SandboxTrade& trade);
  http::Response bill_download_url(const std::string& app_id, const std::string& bill_date);
  http::Response pay_page(const std::string& app_id, const SandboxTrade& trade);

  std::mutex bills_mutex_;
  std::map<std::string, std::string> bills_by_token_;  // zip bytes; the oldest go first beyond kBillsMax

  TradeBook trades_;
  sandbox::FaultInjector faults_;
  sandbox::NotifySender notifies_;
  TimerQueue delayed_answers_;
};

}  // namespace paygate::alipay
