// The ChannelGateway for one WeChat Pay merchant (APIv3): requests signed with the merchant's API key,
// every answer and callback verified with a platform key before anything in it is believed, callbacks
// decrypted with the APIv3 key. Platform certificates are downloaded, verified and rotated here.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/periodic_worker.h"
#include "core/time.h"
#include "crypto/rsa.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/platform_keys.h"
#include "infra/http/client_pool.h"
#include "ports/channel_gateway.h"

namespace paygate::wechatpay {

struct WechatpayAccount {
  std::string id;  // channel_account_id: names the account in notify URLs and orders
  std::string mchid;
  std::string appid;
  crypto::RsaPrivateKey merchant_private_key;
  std::string merchant_serial;  // the merchant API certificate's serial (hex)
  std::string apiv3_key;        // 32 bytes; decrypts callbacks and certificates. Never logged.
  std::string base_url = "https://api.mch.weixin.qq.com";
  std::uint32_t timeout_ms = 10'000;
  std::string ca_file;  // trust only this CA bundle (tests, private PKI); empty = system CAs
  // Public-key mode: the platform signs with this fixed key (Wechatpay-Serial = the PUB_KEY_ID_… id) and no
  // certificates are downloaded.
  std::string platform_public_key_id;
  std::optional<crypto::RsaPublicKey> platform_public_key;
  std::uint32_t certificate_refresh_ms = 12 * 3600 * 1000;  // scheduled download of platform certificates
  std::uint32_t unknown_serial_refresh_min_ms = 60'000;     // at most one unscheduled download this often
};

class WechatpayGateway final : public ChannelGateway {
 public:
  // Fails when the base URL is not an http(s) URL or the APIv3 key is not 32 bytes.
  static Result<std::unique_ptr<WechatpayGateway>> create(WechatpayAccount account, const Clock& clock);

  Channel channel() const override { return Channel::kWechatpay; }
  const std::string& account_id() const override { return account_.id; }
  Result<ChannelPayment> create_payment(const Order& order, const std::string& notify_url) override;
  Result<ChannelTrade> query(const Order& order) override;
  Status close(const Order& order) override;
  Result<ChannelRefund> refund(const Order& order, const std::string& refund_id, std::int64_t amount_minor,
                               const std::string& reason, const std::string& notify_url) override;
  Result<ChannelRefund> refund_query(const Order& order, const std::string& refund_id) override;
  // The trade bill (bill_type ALL) as the UTF-8 CSV text, after its SHA-1 matched hash_value.
  Result<std::string> download_bill(const std::string& date) override;
  Result<ChannelNotify> verify_notify(const NotifyRequest& request) override;
  // WeChat Pay reads the status: 204 stops its retries; a 4xx carries {"code":"FAIL","message":…}.
  NotifyReply notify_reply(bool accepted, std::string_view reason) const override;

  // Downloads /v3/certificates, verifies the answer with a certificate it carries (or one we trust), and
  // keeps every certificate in it. CHANNEL_OUTCOME_UNKNOWN when it cannot.
  Status refresh_certificates();
  const PlatformKeys& platform_keys() const { return keys_; }

 private:
  WechatpayGateway(WechatpayAccount account, http::HttpUrl base, const Clock& clock);

  struct Answer {
    int status = 0;
    std::string body;
  };
  // Signs and sends one call; returns the answer after its signature verified. Transport failures, 5xx,
  // and answers that do not verify are CHANNEL_OUTCOME_UNKNOWN.
  Result<Answer> call(std::string_view method, const std::string& path_with_query, const std::string& body);
  Result<http::ClientResponse> send_signed(std::string_view method, const std::string& path_with_query,
                                           const std::string& body);
  // Signature, timestamp and serial of an answer or callback. may_refresh: an unknown serial triggers one
  // (rate-limited) certificate download before giving up.
  Status verify_signature(const HeaderList& headers, std::string_view body, bool may_refresh);
  // The scheduled download, on the refresher's thread: never on a merchant's request or a callback.
  void refresh_if_due();
  Result<ChannelTradeReport> trade_report(const std::string& plaintext, const std::string& notify_id) const;
  std::string path(std::string_view api_path) const { return path_prefix_ + std::string(api_path); }

  WechatpayAccount account_;
  http::HttpUrl base_;
  std::string path_prefix_;  // the base URL's path, without a trailing '/'
  const Clock& clock_;
  http::ClientPool clients_;
  PlatformKeys keys_;
  std::mutex refresh_mutex_;  // one certificate download at a time
  std::atomic<std::int64_t> last_refresh_ms_{0};
  std::atomic<std::int64_t> last_unscheduled_refresh_ms_{0};
  PeriodicWorker refresher_;  // last: its thread stops before anything it uses goes away
};

}  // namespace paygate::wechatpay
