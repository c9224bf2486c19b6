#include "infra/channels/alipay/alipay_gateway.h"

#include "core/log.h"
#include "fmt/format.h"
#include "infra/channels/alipay/codec.h"
#include "infra/channels/alipay/notify.h"
#include "nlohmann/json.hpp"

namespace paygate::alipay {
namespace {

using nlohmann::json;

Error unknown(std::string_view why) {
  return make_error(ErrorCode::kChannelOutcomeUnknown, fmt::format("alipay: {}", why));
}

// code 10000 is success; a business failure names its sub_code. SYSTEM_ERROR means "outcome unknown".
Status business_status(const json& answer) {
  const std::string code = answer.value("code", "");
  if (code == "10000") return {};
  const std::string sub_code = answer.value("sub_code", "");
  if (code == "20000" || sub_code == "ACQ.SYSTEM_ERROR" || sub_code == "aop.ACQ.SYSTEM_ERROR") {
    return unknown(fmt::format("{} {}", code, sub_code));
  }
  return make_error(ErrorCode::kChannelRejected,
                    fmt::format("alipay: {} {} {}", code, sub_code, answer.value("sub_msg", "")));
}

std::string method_for(std::string_view order_method) {
  if (order_method == "page") return "alipay.trade.page.pay";
  if (order_method == "wap") return "alipay.trade.wap.pay";
  return "alipay.trade.precreate";
}

}  // namespace

Result<std::unique_ptr<AlipayGateway>> AlipayGateway::create(AlipayAccount account, const Clock& clock) {
  auto gateway = http::parse_http_url(account.gateway_url);
  if (!gateway.ok()) {
    return make_error(ErrorCode::kInvalidParameter, fmt::format("channels.alipay[{}].gateway_url: {}",
                                                                account.id, gateway.error().message));
  }
  return std::unique_ptr<AlipayGateway>(
      new AlipayGateway(std::move(account), std::move(gateway).value(), clock));
}

AlipayGateway::AlipayGateway(AlipayAccount account, http::HttpUrl gateway, const Clock& clock)
    : account_(std::move(account)),
      gateway_(std::move(gateway)),
      clock_(clock),
      clients_(gateway_.endpoint, http::ClientOptions{account_.timeout_ms, account_.ca_file}) {}

std::string AlipayGateway::signed_query_string(std::string_view method, const std::string& biz_content,
                                               const std::string& notify_url) const {
  Params params = {{"app_id", account_.app_id}, {"method", std::string(method)},
                   {"format", "JSON"},          {"charset", "utf-8"},
                   {"sign_type", "RSA2"},       {"timestamp", format_beijing_time(clock_.now_unix_ms())},
                   {"version", "1.0"},          {"biz_content", biz_content}};
  // Never send an empty parameter: the SDKs disagree on whether empties are signed.
  if (!notify_url.empty()) params["notify_url"] = notify_url;
  params["sign"] = sign(params, SignScope::kRequest, account_.app_private_key);
  return form_encode(params);
}

Result<std::string> AlipayGateway::call(std::string_view method, const std::string& biz_content,
                                        const std::string& notify_url) {
  const std::string body = signed_query_string(method, biz_content, notify_url);
  auto client = clients_.take();
  auto response = client->send("POST", gateway_.target,
                               {{"content-type", "application/x-www-form-urlencoded;charset=utf-8"}}, body);
  if (!response.ok()) return unknown(response.error().message);
  clients_.give_back(std::move(client));
  if (response->status != 200) return unknown(fmt::format("HTTP {}", response->status));
  auto split = split_signed_response(response->body, method);
  if (!split) return unknown("the answer is not a gateway response");
  // An unsigned answer is believed only when it is a plain error_response (Alipay does not sign those).
  if (!verify_response(*split, account_.alipay_public_key)) {
    if (split->key == "error_response" && !split->sign) {
      return make_error(ErrorCode::kChannelRejected,
                        fmt::format("alipay: error_response {}", split->content));
    }
    log::warn("alipay_answer_unverified", {{"account", account_.id}, {"method", method}});
    return unknown("the answer's signature does not verify");
  }
  return std::string(split->content);
}

Result<ChannelPayment> AlipayGateway::create_payment(const Order& order, const std::string& notify_url) {
  const std::int64_t minutes_left =
      std::max<std::int64_t>(1, (order.expires_at_ms - clock_.now_unix_ms()) / 60'000);
  json biz = {{"out_trade_no", order.order_id.value},
              {"total_amount", fen_to_yuan(order.amount.minor)},
              {"subject", order.subject},
              {"timeout_express", fmt::format("{}m", minutes_left)}};
  const std::string method = method_for(order.method);
  if (method != "alipay.trade.precreate") {
    // page/wap: no server call; the payer's browser takes this signed URL to Alipay.
    biz["product_code"] = order.method == "page" ? "FAST_INSTANT_TRADE_PAY" : "QUICK_WAP_WAY";
    return ChannelPayment{account_.gateway_url + "?" + signed_query_string(method, biz.dump(), notify_url)};
  }
  auto answer = call(method, biz.dump(), notify_url);
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable precreate answer");
  if (auto status = business_status(parsed); !status) return std::move(status).error();
  if (!parsed.contains("qr_code") || !parsed["qr_code"].is_string())
    return unknown("precreate answer without qr_code");
  return ChannelPayment{parsed["qr_code"].get<std::string>()};
}

Result<ChannelTrade> AlipayGateway::query(const Order& order) {
  auto answer = call("alipay.trade.query", json{{"out_trade_no", order.order_id.value}}.dump(), "");
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable query answer");
  if (parsed.value("sub_code", "") == "ACQ.TRADE_NOT_EXIST")
    return ChannelTrade{ChannelTradeStatus::kNotFound, 0, "", 0};
  if (auto status = business_status(parsed); !status) return std::move(status).error();
  ChannelTrade trade;
  const std::string status = parsed.value("trade_status", "");
  trade.status = status == "TRADE_SUCCESS" || status == "TRADE_FINISHED" ? ChannelTradeStatus::kPaid
                 : status == "TRADE_CLOSED"                              ? ChannelTradeStatus::kClosed
                                                                         : ChannelTradeStatus::kWaiting;
  auto amount = yuan_to_fen(parsed.value("total_amount", ""));
  if (!amount.ok()) return unknown("query answer with a bad total_amount");
  trade.amount_minor = *amount;
  trade.channel_trade_no = parsed.value("trade_no", "");
  trade.paid_at_ms = parse_beijing_time(parsed.value("send_pay_date", "")).value_or(0);
  return trade;
}

Status AlipayGateway::close(const Order& order) {
  auto answer = call("alipay.trade.close", json{{"out_trade_no", order.order_id.value}}.dump(), "");
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable close answer");
  // A trade Alipay never saw (the QR code was never scanned) has nothing to close.
  if (parsed.value("sub_code", "") == "ACQ.TRADE_NOT_EXIST") return {};
  return business_status(parsed);
}

Result<ChannelRefund> AlipayGateway::refund(const Order& order, const std::string& refund_id,
                                            std::int64_t amount_minor, const std::string& reason,
                                            const std::string& /*notify_url*/) {
  json biz = {{"out_trade_no", order.order_id.value},
              {"refund_amount", fen_to_yuan(amount_minor)},
              {"out_request_no", refund_id}};
  if (!reason.empty()) biz["refund_reason"] = reason;
  auto answer = call("alipay.trade.refund", biz.dump(), "");
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable refund answer");
  if (auto status = business_status(parsed); !status) return std::move(status).error();
  // code 10000: Alipay accepted the refund synchronously (fund_change says whether this call moved money,
  // which is "N" for a repeated out_request_no).
  return ChannelRefund{ChannelRefundStatus::kSucceeded, amount_minor, ""};
}

Result<ChannelRefund> AlipayGateway::refund_query(const Order& order, const std::string& refund_id) {
  auto answer = call("alipay.trade.fastpay.refund.query",
                     json{{"out_trade_no", order.order_id.value}, {"out_request_no", refund_id}}.dump(), "");
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable refund query answer");
  if (auto status = business_status(parsed); !status) return std::move(status).error();
  // As Alipay documents it: success without refund_status means there is no such refund.
  if (parsed.value("refund_status", "") != "REFUND_SUCCESS")
    return ChannelRefund{ChannelRefundStatus::kNotFound, 0, ""};
  auto amount = yuan_to_fen(parsed.value("refund_amount", ""));
  if (!amount.ok()) return unknown("refund query answer with a bad refund_amount");
  return ChannelRefund{ChannelRefundStatus::kSucceeded, *amount, ""};
}

Result<std::string> AlipayGateway::download_bill(const std::string& date) {
  auto answer = call("alipay.data.dataservice.bill.downloadurl.query",
                     json{{"bill_type", "trade"}, {"bill_date", date}}.dump(), "");
  if (!answer.ok()) return std::move(answer).error();
  const json parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return unknown("unparseable bill answer");
  if (auto status = business_status(parsed); !status) return std::move(status).error();
  auto url = http::parse_http_url(parsed.value("bill_download_url", ""));
  if (!url.ok()) return unknown("the bill answer has no usable bill_download_url");
  // The download URL is short-lived and plain GET, usually on another host: its own connection.
  http::Client client(url->endpoint, http::ClientOptions{account_.timeout_ms, account_.ca_file});
  auto file = client.send("GET", url->target);
  if (!file.ok()) return unknown(file.error().message);
  if (file->status != 200) return unknown(fmt::format("bill download: HTTP {}", file->status));
  return std::move(file->body);
}

Result<ChannelNotify> AlipayGateway::verify_notify(const NotifyRequest& request) {
  auto params = form_decode(request.body);
  if (!params.ok()) return std::move(params).error();
  if (!verify(*params, SignScope::kNotify, account_.alipay_public_key)) {
    return make_error(ErrorCode::kSignatureInvalid, "notify: signature does not verify");
  }
  auto report = notify_from_params(*params, account_.app_id, clock_.now_unix_ms());
  if (!report.ok()) return std::move(report).error();
  return ChannelNotify(std::move(report).value());
}

}  // namespace paygate::alipay
