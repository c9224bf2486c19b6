// The ChannelGateway for one Alipay application: OpenAPI calls signed with the app key, answers verified
// with Alipay's public key before anything in them is believed, notifies verified the same way.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/time.h"
#include "crypto/rsa.h"
#include "infra/http/http_client.h"
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
  Result<ChannelRefund> refund(const Order& order, const std::string& refund_id, std::int64_t amount_minor,
                               const std::string& reason) override;
  Result<ChannelRefund> refund_query(const Order& order, const std::string& refund_id) override;
  Result<std::string> download_bill(const std::string& date) override;
  Result<ChannelTradeReport> verify_notify(std::string_view body) override;
  std::string_view notify_answer(bool accepted) const override { return accepted ? "success" : "failure"; }

 private:
  AlipayGateway(AlipayAccount account, http::HttpUrl gateway, const Clock& clock);

  // Signs and sends one OpenAPI call; returns the verified inner object. Transport failures, non-200 answers
  // and answers whose signature does not verify are CHANNEL_OUTCOME_UNKNOWN.
  Result<std::string> call(std::string_view method, const std::string& biz_content,
                           const std::string& notify_url);
  std::string signed_query_string(std::string_view method, const std::string& biz_content,
                                  const std::string& notify_url) const;

  std::unique_ptr<http::Client> take_client();
  void give_back(std::unique_ptr<http::Client> client);

  AlipayAccount account_;
  http::HttpUrl gateway_;
  const Clock& clock_;
  std::mutex clients_mutex_;
  std::vector<std::unique_ptr<http::Client>> idle_clients_;  // kept-alive connections for reuse
};

}  // namespace paygate::alipay
