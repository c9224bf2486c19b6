#include "infra/channels/wechatpay/wechatpay_gateway.h"

#include "core/log.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "fmt/format.h"
#include "infra/channels/wechatpay/messages.h"
#include "infra/http/gzip.h"
#include "nlohmann/json.hpp"

namespace paygate::wechatpay {
namespace {

using nlohmann::json;

constexpr std::size_t kDescriptionCharactersMax = 127;  // WeChat Pay's limit on `description`
constexpr std::size_t kRefundReasonCharactersMax = 80;

Error unknown(std::string_view why) {
  return make_error(ErrorCode::kChannelOutcomeUnknown, fmt::format("wechatpay: {}", why));
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Codes that say "we do not know what happened": retry or query later, never treat as a refusal.
bool is_outcome_unknown(std::string_view code) {
  return code == "SYSTEM_ERROR" || code == "FREQUENCY_LIMITED" || code == "BANK_ERROR" ||
         code == "BANKERROR" || code.empty();
}

// A non-2xx answer whose signature verified: a refusal with WeChat's code, or unknown.
Error refusal(int status, std::string_view body) {
  const ErrorAnswer answer = parse_error_answer(body);
  if (status >= 500 || is_outcome_unknown(answer.code))
    return unknown(fmt::format("HTTP {} {}", status, answer.code));
  return make_error(ErrorCode::kChannelRejected,
                    fmt::format("wechatpay: {} {}", answer.code, answer.message));
}

// The first max code points of text (WeChat Pay counts characters, not bytes).
std::string truncate_characters(const std::string& text, std::size_t max) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == max) return text.substr(0, i);
  }
  return text;
}

ChannelTradeStatus trade_status(std::string_view state) {
  if (state == "SUCCESS" || state == "REFUND") return ChannelTradeStatus::kPaid;
  if (state == "CLOSED" || state == "REVOKED") return ChannelTradeStatus::kClosed;
  return ChannelTradeStatus::kWaiting;  // NOTPAY, USERPAYING, PAYERROR: the payer may still pay
}

ChannelRefund refund_status(const RefundInfo& refund) {
  if (refund.status == "SUCCESS")
    return ChannelRefund{ChannelRefundStatus::kSucceeded, refund.refund_fen, ""};
  if (refund.status == "CLOSED" || refund.status == "ABNORMAL")
    return ChannelRefund{ChannelRefundStatus::kFailed, refund.refund_fen, refund.status};
  return ChannelRefund{ChannelRefundStatus::kProcessing, refund.refund_fen, ""};
}

}  // namespace

Result<std::unique_ptr<WechatpayGateway>> WechatpayGateway::create(WechatpayAccount account,
                                                                   const Clock& clock) {
  auto base = http::parse_http_url(account.base_url);
  if (!base.ok()) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("channels.wechatpay[{}].base_url: {}", account.id, base.error().message));
  }
  if (!is_apiv3_key(account.apiv3_key)) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("channels.wechatpay[{}].apiv3_key: must be 32 bytes", account.id));
  }
  std::unique_ptr<WechatpayGateway> gateway(
      new WechatpayGateway(std::move(account), std::move(base).value(), clock));
  if (!gateway->account_.platform_public_key) {
    // Certificates are fetched at once and then on their schedule; a failed download is retried in a minute.
    const auto interval =
        std::chrono::milliseconds(std::min<std::uint32_t>(gateway->account_.certificate_refresh_ms, 60'000));
    gateway->refresher_.start("paygate-wxcerts", interval, [g = gateway.get()] { g->refresh_if_due(); });
  }
  return gateway;
}

WechatpayGateway::WechatpayGateway(WechatpayAccount account, http::HttpUrl base, const Clock& clock)
    : account_(std::move(account)),
      base_(std::move(base)),
      clock_(clock),
      clients_(base_.endpoint, http::ClientOptions{account_.timeout_ms, account_.ca_file}) {
  path_prefix_ = base_.target;
  while (!path_prefix_.empty() && path_prefix_.back() == '/') path_prefix_.pop_back();
  if (account_.platform_public_key) {
    keys_.add_public_key(account_.platform_public_key_id, *account_.platform_public_key);
  }
}

Result<http::ClientResponse> WechatpayGateway::send_signed(std::string_view method,
                                                           const std::string& path_with_query,
                                                           const std::string& body) {
  const Authorization authorization =
      sign_request(account_.mchid, account_.merchant_serial, account_.merchant_private_key, method,
                   path_with_query, body, clock_.now_unix_ms());
  HeaderList headers = {{"authorization", format_authorization(authorization)},
                        {"accept", "application/json"},
                        {"user-agent", "paygate"}};
  if (!body.empty()) headers.emplace_back("content-type", "application/json");
  auto client = clients_.take();
  auto response = client->send(method, path_with_query, headers, body);
  if (!response.ok()) return unknown(response.error().message);
  clients_.give_back(std::move(client));
  return response;
}

Result<WechatpayGateway::Answer> WechatpayGateway::call(std::string_view method,
                                                        const std::string& path_with_query,
                                                        const std::string& body) {
  auto response = send_signed(method, path_with_query, body);
  if (!response.ok()) return std::move(response).error();
  if (response->status >= 500) return unknown(fmt::format("HTTP {}", response->status));
  if (auto verified = verify_signature(response->headers, response->body, true); !verified) {
    log::warn("wechatpay_answer_unverified",
              {{"account", account_.id}, {"reason", verified.error().message}});
    return unknown("the answer's signature does not verify");
  }
  return Answer{response->status, std::move(response->body)};
}

Status WechatpayGateway::verify_signature(const HeaderList& headers, std::string_view body,
                                          bool may_refresh) {
  auto signature = read_signature_headers(headers);
  if (!signature.ok()) return std::move(signature).error();
  const std::int64_t now_ms = clock_.now_unix_ms();
  if (auto fresh = check_timestamp(signature->timestamp, now_ms); !fresh) return fresh;
  auto key = keys_.find(signature->serial, now_ms);
  if (!key && may_refresh && !account_.platform_public_key) {
    // A serial we do not know: WeChat may have rotated its certificate. Download once, not on every request.
    std::int64_t last = last_unscheduled_refresh_ms_.load();
    if (now_ms - last >= account_.unknown_serial_refresh_min_ms &&
        last_unscheduled_refresh_ms_.compare_exchange_strong(last, now_ms)) {
      if (auto refreshed = refresh_certificates(); !refreshed)
        log::warn("wechatpay_certificates_refresh_failed",
                  {{"account", account_.id}, {"reason", refreshed.error().message}});
      key = keys_.find(signature->serial, now_ms);
    }
  }
  if (!key) {
    return make_error(
        ErrorCode::kSignatureInvalid,
        fmt::format("Wechatpay-Serial {} is not a platform key we trust", signature->serial.substr(0, 64)));
  }
  if (!key->verify_sha256_base64(response_message(signature->timestamp, signature->nonce, body),
                                 signature->signature)) {
    return make_error(ErrorCode::kSignatureInvalid, "Wechatpay-Signature does not verify");
  }
  return {};
}

void WechatpayGateway::refresh_if_due() {
  if (account_.platform_public_key) return;
  const std::int64_t now_ms = clock_.now_unix_ms();
  std::int64_t last = last_refresh_ms_.load();
  if (now_ms - last < account_.certificate_refresh_ms) return;
  // One caller refreshes; the others go on with the certificates they have.
  if (!last_refresh_ms_.compare_exchange_strong(last, now_ms)) return;
  if (auto refreshed = refresh_certificates(); !refreshed) {
    log::warn("wechatpay_certificates_refresh_failed",
              {{"account", account_.id}, {"reason", refreshed.error().message}});
    // Try again in a minute rather than after a whole refresh interval.
    last_refresh_ms_ = now_ms - account_.certificate_refresh_ms +
                       std::min<std::int64_t>(60'000, account_.certificate_refresh_ms);
  }
}

Status WechatpayGateway::refresh_certificates() {
  std::lock_guard lock(refresh_mutex_);
  const std::int64_t now_ms = clock_.now_unix_ms();
  auto response = send_signed("GET", path("/v3/certificates"), "");
  if (!response.ok()) return std::move(response).error();
  if (response->status != 200) return refusal(response->status, response->body);
  auto entries = parse_certificates(response->body);
  if (!entries.ok()) return unknown(fmt::format("certificates: {}", entries.error().message));
  std::vector<crypto::Certificate> certificates;
  for (const CertificateEntry& entry : *entries) {
    auto pem = decrypt_resource(account_.apiv3_key, entry.encrypt_certificate);
    if (!pem.ok()) return unknown(fmt::format("certificate {}: {}", entry.serial_no, pem.error().message));
    auto certificate = crypto::Certificate::from_pem(*pem);
    if (!certificate.ok() || certificate->serial_hex() != entry.serial_no)
      return unknown(fmt::format("certificate {}: not the certificate it claims", entry.serial_no));
    certificates.push_back(std::move(certificate).value());
  }
  // The answer is signed by one of the certificates it carries (or one we already trust).
  auto signature = read_signature_headers(response->headers);
  if (!signature.ok()) return unknown(signature.error().message);
  if (auto fresh = check_timestamp(signature->timestamp, now_ms); !fresh)
    return unknown(fresh.error().message);
  std::optional<crypto::RsaPublicKey> signer = keys_.find(signature->serial, now_ms);
  for (const crypto::Certificate& certificate : certificates) {
    if (certificate.serial_hex() == signature->serial && certificate.valid_at(now_ms))
      signer = certificate.public_key().value();
  }
  if (!signer ||
      !signer->verify_sha256_base64(response_message(signature->timestamp, signature->nonce, response->body),
                                    signature->signature)) {
    return unknown("the certificates answer does not verify");
  }
  for (const crypto::Certificate& certificate : certificates) {
    if (certificate.not_after_ms() > now_ms) keys_.add_certificate(certificate);
  }
  last_refresh_ms_ = now_ms;
  log::info("wechatpay_certificates",
            {{"account", account_.id},
             {"serials", fmt::format("{}", fmt::join(keys_.certificate_serials(now_ms), ","))}});
  return {};
}

Result<ChannelPayment> WechatpayGateway::create_payment(const Order& order, const std::string& notify_url) {
  const bool jsapi = order.method == "jsapi";
  json body = {{"appid", account_.appid},
               {"mchid", account_.mchid},
               {"description", truncate_characters(order.subject, kDescriptionCharactersMax)},
               {"out_trade_no", order.order_id.value},
               {"time_expire", format_beijing_rfc3339(order.expires_at_ms)},
               {"notify_url", notify_url},
               {"amount", {{"total", order.amount.minor}, {"currency", "CNY"}}}};
  if (jsapi) {
    if (order.user_id.empty())
      return make_error(ErrorCode::kChannelRejected, "wechatpay: jsapi needs the payer's openid (user_id)");
    body["payer"] = {{"openid", order.user_id}};
  }
  auto answer =
      call("POST", path(jsapi ? "/v3/pay/transactions/jsapi" : "/v3/pay/transactions/native"), dump(body));
  if (!answer.ok()) return std::move(answer).error();
  if (answer->status != 200) return refusal(answer->status, answer->body);
  const json parsed = json::parse(answer->body, nullptr, false);
  const char* field = jsapi ? "prepay_id" : "code_url";
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(field) || !parsed[field].is_string())
    return unknown(fmt::format("answer without {}", field));
  if (!jsapi) return ChannelPayment{parsed[field].get<std::string>(), ""};
  // What the WeChat page passes to WeixinJSBridge getBrandWCPayRequest, signed with the merchant key.
  const std::string package = "prepay_id=" + parsed[field].get<std::string>();
  const std::string timestamp = std::to_string(clock_.now_unix_ms() / 1000);
  const std::string nonce = crypto::random_base62(32);
  const std::string pay_sign = account_.merchant_private_key.sign_sha256_base64(
      fmt::format("{}\n{}\n{}\n{}\n", account_.appid, timestamp, nonce, package));
  return ChannelPayment{package, dump(json{{"appId", account_.appid},
                                           {"timeStamp", timestamp},
                                           {"nonceStr", nonce},
                                           {"package", package},
                                           {"signType", "RSA"},
                                           {"paySign", pay_sign}})};
}

Result<ChannelTradeReport> WechatpayGateway::trade_report(const std::string& plaintext,
                                                          const std::string& notify_id) const {
  auto transaction = parse_transaction(plaintext);
  if (!transaction.ok()) return unknown(fmt::format("transaction: {}", transaction.error().message));
  if (transaction->mchid != account_.mchid || transaction->appid != account_.appid) {
    return make_error(ErrorCode::kSignatureInvalid, "transaction: mchid/appid are not this account's");
  }
  ChannelTradeReport report;
  report.notify_id = notify_id;
  report.order_id = OrderId{transaction->out_trade_no};
  report.status = trade_status(transaction->trade_state);
  report.amount_minor = transaction->total_fen;
  report.channel_trade_no = transaction->transaction_id;
  report.paid_at_ms = parse_rfc3339_ms(transaction->success_time).value_or(0);
  return report;
}

Result<ChannelTrade> WechatpayGateway::query(const Order& order) {
  auto answer = call("GET",
                     path(fmt::format("/v3/pay/transactions/out-trade-no/{}?mchid={}", order.order_id.value,
                                      account_.mchid)),
                     "");
  if (!answer.ok()) return std::move(answer).error();
  if (answer->status == 404 && parse_error_answer(answer->body).code == "ORDER_NOT_EXIST")
    return ChannelTrade{ChannelTradeStatus::kNotFound, 0, "", 0};
  if (answer->status != 200) return refusal(answer->status, answer->body);
  auto report = trade_report(answer->body, "");
  if (!report.ok()) return unknown(report.error().message);
  if (report->order_id.value != order.order_id.value) return unknown("query answer for another out_trade_no");
  return ChannelTrade{report->status, report->amount_minor, report->channel_trade_no, report->paid_at_ms};
}

Status WechatpayGateway::close(const Order& order) {
  auto answer =
      call("POST", path(fmt::format("/v3/pay/transactions/out-trade-no/{}/close", order.order_id.value)),
           dump(json{{"mchid", account_.mchid}}));
  if (!answer.ok()) return std::move(answer).error();
  if (answer->status == 204 || answer->status == 200) return {};
  // A trade WeChat never saw (the QR code was never scanned) has nothing to close.
  if (parse_error_answer(answer->body).code == "ORDER_NOT_EXIST") return {};
  return refusal(answer->status, answer->body);
}

Result<ChannelRefund> WechatpayGateway::refund(const Order& order, const std::string& refund_id,
                                               std::int64_t amount_minor, const std::string& reason,
                                               const std::string& notify_url) {
  json body = {{"out_trade_no", order.order_id.value},
               {"out_refund_no", refund_id},
               {"amount", {{"refund", amount_minor}, {"total", order.amount.minor}, {"currency", "CNY"}}}};
  if (!reason.empty()) body["reason"] = truncate_characters(reason, kRefundReasonCharactersMax);
  if (!notify_url.empty()) body["notify_url"] = notify_url;
  auto answer = call("POST", path("/v3/refund/domestic/refunds"), dump(body));
  if (!answer.ok()) return std::move(answer).error();
  if (answer->status != 200) return refusal(answer->status, answer->body);
  auto refund = parse_refund(answer->body);
  if (!refund.ok()) return unknown(fmt::format("refund answer: {}", refund.error().message));
  if (refund->out_refund_no != refund_id) return unknown("refund answer for another out_refund_no");
  return refund_status(*refund);
}

Result<ChannelRefund> WechatpayGateway::refund_query(const Order& order, const std::string& refund_id) {
  auto answer = call("GET", path("/v3/refund/domestic/refunds/" + refund_id), "");
  if (!answer.ok()) return std::move(answer).error();
  const ErrorAnswer error = answer->status == 200 ? ErrorAnswer{} : parse_error_answer(answer->body);
  if (answer->status == 404 && error.code == "RESOURCE_NOT_EXISTS")
    return ChannelRefund{ChannelRefundStatus::kNotFound, 0, ""};
  if (answer->status != 200) return refusal(answer->status, answer->body);
  auto refund = parse_refund(answer->body);
  if (!refund.ok()) return unknown(fmt::format("refund answer: {}", refund.error().message));
  if (refund->out_refund_no != refund_id || refund->out_trade_no != order.order_id.value)
    return unknown("refund answer for another refund");
  return refund_status(*refund);
}

Result<std::string> WechatpayGateway::download_bill(const std::string& date) {
  auto answer =
      call("GET", path(fmt::format("/v3/bill/tradebill?bill_date={}&bill_type=ALL&tar_type=GZIP", date)), "");
  if (!answer.ok()) return std::move(answer).error();
  if (answer->status != 200) return refusal(answer->status, answer->body);
  const json parsed = json::parse(answer->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || parsed.value("hash_type", "") != "SHA1" ||
      !parsed.contains("download_url") || !parsed["download_url"].is_string() ||
      !parsed.contains("hash_value") || !parsed["hash_value"].is_string()) {
    return unknown("the bill answer lacks download_url or a SHA1 hash_value");
  }
  auto url = http::parse_http_url(parsed["download_url"].get<std::string>());
  if (!url.ok() || url->endpoint.host != base_.endpoint.host || url->endpoint.port != base_.endpoint.port)
    return unknown("the bill download_url is not on the API host");
  // The download is a signed request whose answer is not signed: the SHA-1 below is what vouches for it.
  auto file = send_signed("GET", url->target, "");
  if (!file.ok()) return std::move(file).error();
  if (file->status != 200) return unknown(fmt::format("bill download: HTTP {}", file->status));
  std::string text = std::move(file->body);
  if (http::looks_gzipped(text)) {
    auto inflated = http::gzip_decompress(text);
    if (!inflated.ok()) return unknown(fmt::format("bill download: {}", inflated.error().message));
    text = std::move(inflated).value();
  }
  const std::string expected = parsed["hash_value"].get<std::string>();
  if (!crypto::constant_time_equal(crypto::hex_encode(crypto::sha1(text)), expected))
    return unknown("bill download: SHA-1 differs from hash_value");
  return text;
}

Result<ChannelNotify> WechatpayGateway::verify_notify(const NotifyRequest& request) {
  if (auto verified = verify_signature(request.headers, request.body, true); !verified)
    return std::move(verified).error();
  auto callback = parse_callback(request.body);
  if (!callback.ok()) return std::move(callback).error();
  auto plaintext = decrypt_resource(account_.apiv3_key, callback->resource);
  if (!plaintext.ok()) return std::move(plaintext).error();
  const std::string& event = callback->event_type;
  if (event.rfind("TRANSACTION.", 0) == 0) {
    auto report = trade_report(*plaintext, callback->id);
    if (!report.ok()) return std::move(report).error();
    return ChannelNotify(std::move(report).value());
  }
  if (event.rfind("REFUND.", 0) == 0) {
    auto refund = parse_refund(*plaintext);
    if (!refund.ok())
      return make_error(ErrorCode::kInvalidParameter, fmt::format("refund: {}", refund.error().message));
    if (refund->mchid != account_.mchid)
      return make_error(ErrorCode::kSignatureInvalid, "refund: mchid is not this account's");
    return ChannelNotify(ChannelRefundReport{callback->id, refund->out_refund_no,
                                             OrderId{refund->out_trade_no}, refund_status(*refund)});
  }
  return make_error(ErrorCode::kInvalidParameter,
                    fmt::format("event_type {} is not handled", event.substr(0, 64)));
}

NotifyReply WechatpayGateway::notify_reply(bool accepted, std::string_view reason) const {
  if (accepted) return NotifyReply{204, "", ""};
  return NotifyReply{400, "application/json", error_json("FAIL", reason)};
}

}  // namespace paygate::wechatpay
