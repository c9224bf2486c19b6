// The ChannelGateway for one Alipay application: OpenAPI calls signed with the app key, answers verified
// with Alipay's public key before anything in them is believed, notifies verified the same way.
#pragma once

#include <memory>
#include <string>

#include "core/time.h"
#include "crypto/rsa.h"
#include "infra/http/client_pool.h"
#include "ports/channel_gateway.h"

namespace paygate::alipay {

struct AlipayAccount {
  std::string id;  // channel_account_id: names the account in notify URLs and orders
  std::string app_id;
  crypto::RsaPrivateKey app_private_key;
  crypto::RsaPublicKey alipay_public_key;
  std::string gateway_url;  // .../gateway.do; https:// verifies Alipay's certificate
  std::uint32_t timeout_ms = 10'000;
  std::string ca_file;  // trust only this CA bundle (tests, private PKI); empty = system CAs
};

class AlipayGateway final : public ChannelGateway {
 public:
  // Fails when the gateway URL is not an http(s) URL.
  static Result<std::unique_ptr<AlipayGateway>> create(AlipayAccount account, const Clock& clock);

  Channel channel() const override { return Channel::kAlipay; }
  const std::string& account_id() const override { return account_.id; }
  Result<ChannelPayment> create_payment(const Order& order, const std::string& notify_url) override;
  Result<ChannelTrade> query(const Order& order) override;
  Status close(const Order& order) override;
  // Alipay refunds answer synchronously; it sends no refund notify, so notify_url is not used.
  Result<ChannelRefund> refund(const Order& order, const std::string& refund_id, std::int64_t amount_minor,
                               const std::string& reason, const std::string& notify_url) override;
  Result<ChannelRefund> refund_query(const Order& order, const std::string& refund_id) override;
  Result<std::string> download_bill(const std::string& date) override;
  Result<ChannelNotify> verify_notify(const NotifyRequest& request) override;
  // Alipay reads only the text: exactly "success" stops its retries.
  NotifyReply notify_reply(bool accepted, std::string_view) const override {
    return NotifyReply{200, "text/plain; charset=utf-8", accepted ? "success" : "failure"};
  }

 private:
  AlipayGateway(AlipayAccount account, http::HttpUrl gateway, const Clock& clock);

  // Signs and sends one OpenAPI call; returns the verified inner object. Transport failures, non-200 answers
  // and answers whose signature does not verify are CHANNEL_OUTCOME_UNKNOWN.
  Result<std::string> call(std::string_view method, const std::string& biz_content,
                           const std::string& notify_url);
  std::string signed_query_string(std::string_view method, const std::string& biz_content,
                                  const std::string& notify_url) const;

  AlipayAccount account_;
  http::HttpUrl gateway_;
  const Clock& clock_;
  http::ClientPool clients_;
};

}  // namespace paygate::alipay
