#include "sandbox/alipay/alipay_sandbox.h"

#include <atomic>

#include "core/text.h"
#include "core/time.h"
#include "fmt/format.h"
#include "infra/channels/alipay/bill_file.h"
#include "infra/channels/alipay/codec.h"
#include "nlohmann/json.hpp"

namespace paygate::alipay {
namespace {

using nlohmann::json;

constexpr std::int64_t kTotalFenMax = 10'000'000'000;  // 100,000,000.00 yuan, Alipay's single-trade ceiling

json failure(std::string_view code, std::string_view msg, std::string_view sub_code,
             std::string_view sub_msg) {
  return json{{"code", code}, {"msg", msg}, {"sub_code", sub_code}, {"sub_msg", sub_msg}};
}
json business_failure(const TradeRefusal& refusal) {
  return failure("40004", "Business Failed", refusal.sub_code, refusal.sub_msg);
}
json invalid_parameter(std::string_view what) {
  return failure("40004", "Business Failed", "ACQ.INVALID_PARAMETER", what);
}

std::string text_field(const json& biz, const char* name) {
  auto it = biz.find(name);
  return it != biz.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Alipay's notify ids are opaque 32-character strings; unique per notify is what matters.
std::string next_notify_id(std::int64_t now_ms) {
  static std::atomic<std::uint64_t> sequence{0};
  return fmt::format("{}{:015}", format_compact_utc_ms(now_ms), sequence.fetch_add(1)).substr(0, 32);
}

json trade_fields(const SandboxTrade& trade) {
  return json{{"code", "10000"},
              {"msg", "Success"},
              {"trade_no", trade.trade_no},
              {"out_trade_no", trade.out_trade_no}};
}

}  // namespace

AlipaySandbox::AlipaySandbox(crypto::RsaPrivateKey alipay_key, const Clock& clock,
                             std::string public_base_url, double notify_retry_scale)
    : alipay_key_(std::move(alipay_key)),
      clock_(clock),
      public_base_url_(std::move(public_base_url)),
      notifies_(sandbox::NotifyDialect::alipay(), notify_retry_scale) {}

void AlipaySandbox::send_trade_notify(const SandboxTrade& trade) {
  if (trade.notify_url.empty()) return;
  const std::int64_t now_ms = clock_.now_unix_ms();
  const std::string total = fen_to_yuan(trade.total_fen);
  Params params = {
      {"notify_time", format_beijing_time(now_ms)},
      {"notify_type", "trade_status_sync"},
      {"notify_id", next_notify_id(now_ms)},
      {"app_id", trade.app_id},
      {"auth_app_id", trade.app_id},
      {"charset", "utf-8"},
      {"version", "1.0"},
      {"sign_type", "RSA2"},
      {"trade_no", trade.trade_no},
      {"out_trade_no", trade.out_trade_no},
      {"buyer_id", "2088102177846875"},
      {"buyer_logon_id", trade.buyer_logon_id},
      {"seller_id", "2088721000000001"},
      {"trade_status", std::string(to_string(trade.status))},
      {"total_amount", total},
      {"receipt_amount", total},
      {"invoice_amount", total},
      {"buyer_pay_amount", total},
      {"point_amount", "0.00"},
      {"subject", trade.subject},
      {"gmt_create", format_beijing_time(trade.created_at_ms)},
      {"gmt_payment", format_beijing_time(trade.paid_at_ms)},
      {"fund_bill_list", fmt::format(R"([{{"amount":"{}","fundChannel":"ALIPAYACCOUNT"}}])", total)}};
  // Notifies are verified without sign_type, so they are signed without it too.
  params["sign"] = sign(params, SignScope::kNotify, alipay_key_);
  if (faults_.drop_notify()) return;
  const auto delay = std::chrono::milliseconds(faults_.notify_delay_ms());
  sandbox::OutgoingNotify notify{
      trade.notify_url, "application/x-www-form-urlencoded;charset=utf-8", {}, form_encode(params)};
  if (faults_.duplicate_notify()) notifies_.send(notify, delay);
  notifies_.send(std::move(notify), delay);
}

void AlipaySandbox::register_app(const std::string& app_id, crypto::RsaPublicKey app_public_key) {
  std::lock_guard lock(apps_mutex_);
  apps_.insert_or_assign(app_id, std::move(app_public_key));
}

void AlipaySandbox::handle(const http::Request& request, http::Responder respond) {
  const std::string_view path = request.path();
  if (path == "/gateway.do" && (request.method == "POST" || request.method == "GET")) {
    // A slow (or timed-out) Alipay: the answer is held, not computed late, so state moves at once.
    const std::uint32_t delay_ms = faults_.call_delay_ms();
    http::Response answer = gateway(request);
    if (delay_ms == 0) return respond(std::move(answer));
    delayed_answers_.schedule(
        std::chrono::milliseconds(delay_ms),
        [respond, answer = std::move(answer)]() mutable { respond(std::move(answer)); });
    return;
  }
  if (path.rfind("/sandbox/alipay/bill/", 0) == 0 && request.method == "GET") {
    std::lock_guard lock(bills_mutex_);
    auto it =
        bills_by_token_.find(std::string(path.substr(std::string_view("/sandbox/alipay/bill/").size())));
    if (it == bills_by_token_.end()) return respond(http::Response{404, "text/plain", {}, "no such bill"});
    return respond(http::Response{200, "application/zip", {}, it->second});
  }
  if (path == "/sandbox/alipay/faults") {
    auto [status, body] = sandbox::faults_endpoint(faults_, request.method, request.body);
    return respond(http::Response{status, "application/json", {}, std::move(body)});
  }
  if (path == "/sandbox/alipay/pay" && request.method == "POST") return respond(pay(request));
  respond(http::Response{
      404, "application/json", {}, R"({"code":"ROUTE_NOT_FOUND","message":"no sandbox endpoint here"})"});
}

http::Response AlipaySandbox::signed_reply(std::string_view method, const std::string& inner_json) const {
  // The signature covers exactly these bytes; "sign" comes after the object, where the Node SDK looks.
  http::Response response;
  response.content_type = "application/json;charset=utf-8";
  response.body = fmt::format(R"({{"{}":{},"sign":"{}"}})", response_key(method), inner_json,
                              alipay_key_.sign_sha256_base64(inner_json));
  return response;
}

http::Response AlipaySandbox::gateway(const http::Request& request) {
  // The Node SDK sends the common parameters in the query and biz_content in the body: merge both.
  auto query = form_decode(request.query());
  auto form = form_decode(request.body);
  const auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  if (!query.ok() || !form.ok()) {
    return signed_reply("error",
                        dump(failure("40002", "Invalid Arguments", "isv.invalid-parameter", "表单格式错误")));
  }
  Params params = std::move(query).value();
  for (auto& [name, value] : *form) {
    if (!params.emplace(name, value).second) {
      return signed_reply("error", dump(failure("40002", "Invalid Arguments", "isv.invalid-parameter",
                                                "参数重复: " + name.substr(0, 32))));
    }
  }
  const std::string method = params.count("method") ? params["method"] : "";
  const std::string reply_method = method.empty() ? "error" : method;
  auto reject = [&](std::string_view code, std::string_view msg, std::string_view sub_code,
                    std::string_view sub_msg) {
    return signed_reply(reply_method, dump(failure(code, msg, sub_code, sub_msg)));
  };
  if (method.empty())
    return reject("40001", "Missing Required Arguments", "isv.missing-method", "缺少方法名参数");
  if (params["app_id"].empty())
    return reject("40001", "Missing Required Arguments", "isv.missing-app-id", "缺少AppID参数");
  if (params["sign"].empty())
    return reject("40001", "Missing Required Arguments", "isv.missing-signature", "缺少签名参数");
  if (params["sign_type"] != "RSA2") {
    return reject("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型");
  }
  std::optional<crypto::RsaPublicKey> app_key;
  {
    std::lock_guard lock(apps_mutex_);
    if (auto it = apps_.find(params["app_id"]); it != apps_.end()) app_key = it->second;
  }
  if (!app_key) return reject("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数");
  if (!verify(params, SignScope::kRequest, *app_key)) {
    return reject("40002", "Invalid Arguments", "isv.invalid-signature", "验签出错");
  }
  if (faults_.fail_call()) {
    // Injected before anything is applied; to the caller the outcome is unknown, as with the real thing.
    return reject("20000", "Service Currently Unavailable", "ACQ.SYSTEM_ERROR", "系统繁忙");
  }

  const json biz = json::parse(params["biz_content"], nullptr, false);
  if (biz.is_discarded() || !biz.is_object())
    return signed_reply(method, dump(invalid_parameter("biz_content 不是 JSON 对象")));
  const std::string& app_id = params["app_id"];
  std::string out_trade_no = text_field(biz, "out_trade_no");
  if (out_trade_no.empty() && method != "alipay.trade.precreate") {
    // Query, close and refund may name the trade by Alipay's own trade_no instead.
    out_trade_no = trades_.out_trade_no_of(app_id, text_field(biz, "trade_no")).value_or("");
  }
  const std::int64_t now_ms = clock_.now_unix_ms();

  if (method == "alipay.trade.precreate") {
    const std::string subject = text_field(biz, "subject");
    auto total = yuan_to_fen(text_field(biz, "total_amount"));
    if (!is_token(out_trade_no, 64))
      return signed_reply(method, dump(invalid_parameter("out_trade_no 无效")));
    if (subject.empty() || !utf8_length(subject) || *utf8_length(subject) > 256) {
      return signed_reply(method, dump(invalid_parameter("subject 无效")));
    }
    if (!total.ok() || *total < 1 || *total > kTotalFenMax) {
      return signed_reply(method, dump(invalid_parameter("total_amount 无效")));
    }
    auto outcome = trades_.precreate(app_id, out_trade_no, *total, subject, params["notify_url"], now_ms);
    if (outcome.refusal) return signed_reply(method, dump(business_failure(*outcome.refusal)));
    return signed_reply(
        method, dump(json{{"code", "10000"},
                          {"msg", "Success"},
                          {"out_trade_no", out_trade_no},
                          {"qr_code", public_base_url_ + "/sandbox/alipay/qr/" + outcome.value->trade_no}}));
  }
  if (method == "alipay.trade.page.pay" || method == "alipay.trade.wap.pay") {
    // The payer's browser arrives here with the merchant's signed URL: open the trade and show a pay page.
    const std::string subject = text_field(biz, "subject");
    auto total = yuan_to_fen(text_field(biz, "total_amount"));
    if (!is_token(out_trade_no, 64) || subject.empty() || !total.ok() || *total < 1 ||
        *total > kTotalFenMax) {
      return signed_reply(method, dump(invalid_parameter("out_trade_no, subject 或 total_amount 无效")));
    }
    auto outcome = trades_.precreate(app_id, out_trade_no, *total, subject, params["notify_url"], now_ms);
    if (outcome.refusal) return signed_reply(method, dump(business_failure(*outcome.refusal)));
    return pay_page(app_id, *outcome.value);
  }
  if (method == "alipay.trade.query") {
    auto trade = trades_.find(app_id, out_trade_no);
    if (!trade) return signed_reply(method, dump(business_failure({"ACQ.TRADE_NOT_EXIST", "交易不存在"})));
    json out = trade_fields(*trade);
    out["trade_status"] = to_string(trade->status);
    out["total_amount"] = fen_to_yuan(trade->total_fen);
    if (trade->paid_at_ms > 0) {
      out["buyer_logon_id"] = trade->buyer_logon_id;
      out["send_pay_date"] = format_beijing_time(trade->paid_at_ms);
    }
    return signed_reply(method, dump(out));
  }
  if (method == "alipay.trade.close") {
    auto outcome = trades_.close(app_id, out_trade_no);
    if (outcome.refusal) return signed_reply(method, dump(business_failure(*outcome.refusal)));
    return signed_reply(method, dump(trade_fields(*outcome.value)));
  }
  if (method == "alipay.trade.refund") {
    auto amount = yuan_to_fen(text_field(biz, "refund_amount"));
    if (!amount.ok()) return signed_reply(method, dump(invalid_parameter("refund_amount 无效")));
    std::string out_request_no = text_field(biz, "out_request_no");
    if (out_request_no.empty()) out_request_no = out_trade_no;  // Alipay's default: one full refund
    auto outcome = trades_.refund(app_id, out_trade_no, out_request_no, *amount, now_ms);
    if (outcome.refusal) return signed_reply(method, dump(business_failure(*outcome.refusal)));
    json out = trade_fields(*outcome.value);
    out["fund_change"] = "Y";
    out["refund_fee"] = fen_to_yuan(outcome.value->refunded_fen);
    out["gmt_refund_pay"] = format_beijing_time(outcome.value->refunds.at(out_request_no).refunded_at_ms);
    return signed_reply(method, dump(out));
  }
  if (method == "alipay.trade.fastpay.refund.query") {
    auto trade = trades_.find(app_id, out_trade_no);
    if (!trade) return signed_reply(method, dump(business_failure({"ACQ.TRADE_NOT_EXIST", "交易不存在"})));
    const std::string out_request_no = text_field(biz, "out_request_no");
    json out = {{"code", "10000"}, {"msg", "Success"}, {"out_request_no", out_request_no}};
    // As at Alipay: an unknown refund is a success answer without refund_status.
    if (auto refund = trade->refunds.find(out_request_no); refund != trade->refunds.end()) {
      out["trade_no"] = trade->trade_no;
      out["out_trade_no"] = trade->out_trade_no;
      out["refund_amount"] = fen_to_yuan(refund->second.amount_fen);
      out["total_amount"] = fen_to_yuan(trade->total_fen);
      out["refund_status"] = "REFUND_SUCCESS";
    }
    return signed_reply(method, dump(out));
  }
  if (method == "alipay.data.dataservice.bill.downloadurl.query") {
    if (text_field(biz, "bill_type") != "trade")
      return signed_reply(method, dump(invalid_parameter("bill_type 只支持 trade")));
    http::Response answer = bill_download_url(app_id, text_field(biz, "bill_date"));
    if (answer.status != 200) return signed_reply(method, dump(invalid_parameter(answer.body)));
    return signed_reply(method, answer.body);
  }
  return reject("40002", "Invalid Arguments", "isv.invalid-method", "不存在的方法名");
}

http::Response AlipaySandbox::pay_page(const std::string& app_id, const SandboxTrade& trade) {
  auto escape = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '&':
          out += "&amp;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out.push_back(c);
      }
    }
    return out;
  };
  const std::string pay_body = json{{"app_id", app_id}, {"out_trade_no", trade.out_trade_no}}.dump();
  http::Response page;
  page.content_type = "text/html; charset=utf-8";
  page.body = fmt::format(
      R"(<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">)"
      R"(<title>支付宝沙箱 Alipay sandbox</title></head><body style="font-family:system-ui;max-width:420px;margin:24px auto;padding:0 16px">)"
      R"(<h1>支付宝沙箱 Alipay sandbox</h1><p id="subject">{}</p><p id="amount" style="font-size:32px">¥{}</p>)"
      R"(<button id="pay" style="width:100%;padding:14px;font-size:16px">确认付款 Pay</button><p id="result"></p>)"
      R"(<script>document.getElementById('pay').onclick=async()=>{{const r=await fetch('/sandbox/alipay/pay',{{method:'POST',body:'{}'}});)"
      R"(document.getElementById('result').textContent=r.ok?'支付成功 Paid':'失败 Failed';}};</script></body></html>)",
      // pay_body holds only validated tokens ([A-Za-z0-9_-]), so it sits safely in a JS string.
      escape(trade.subject), fen_to_yuan(trade.total_fen), pay_body);
  return page;
}

http::Response AlipaySandbox::bill_download_url(const std::string& app_id, const std::string& bill_date) {
  constexpr std::size_t kBillsMax = 256;
  const auto day_start = parse_beijing_time(bill_date + " 00:00:00");
  if (!day_start) return http::Response{400, "text/plain", {}, "bill_date 格式应为 yyyy-MM-dd"};
  const std::int64_t day_end = *day_start + 24 * 3600 * 1000;
  auto on_day = [&](std::int64_t ms) { return ms >= *day_start && ms < day_end; };
  std::vector<BillRow> rows;
  for (const SandboxTrade& trade : trades_.trades_of(app_id)) {
    if (trade.paid_at_ms > 0 && on_day(trade.paid_at_ms)) {
      rows.push_back(BillRow{trade.trade_no, trade.out_trade_no, false, trade.subject, trade.created_at_ms,
                             trade.paid_at_ms, trade.total_fen, ""});
    }
    for (const auto& [out_request_no, refund] : trade.refunds) {
      if (on_day(refund.refunded_at_ms)) {
        rows.push_back(BillRow{trade.trade_no, trade.out_trade_no, true, trade.subject, trade.created_at_ms,
                               refund.refunded_at_ms, -refund.amount_fen, out_request_no});
      }
    }
  }
  auto bill = write_trade_bill("2088721000000001", bill_date, rows);
  if (!bill.ok()) return http::Response{500, "text/plain", {}, bill.error().message};
  static std::atomic<std::uint64_t> sequence{0};
  const std::string token = fmt::format("{}-{}", sequence.fetch_add(1), bill->zip_name);
  {
    std::lock_guard lock(bills_mutex_);
    if (bills_by_token_.size() >= kBillsMax) bills_by_token_.erase(bills_by_token_.begin());
    bills_by_token_.emplace(token, std::move(bill->zip_bytes));
  }
  return http::Response{200,
                        "application/json",
                        {},
                        json{{"code", "10000"},
                             {"msg", "Success"},
                             {"bill_download_url", public_base_url_ + "/sandbox/alipay/bill/" + token}}
                            .dump(-1, ' ', false, json::error_handler_t::replace)};
}

http::Response AlipaySandbox::pay(const http::Request& request) {
  const json body = json::parse(request.body, nullptr, false);
  http::Response response;
  if (body.is_discarded() || !body.is_object() || !body.contains("app_id") ||
      !body.contains("out_trade_no") || !body["app_id"].is_string() || !body["out_trade_no"].is_string()) {
    response.status = 400;
    response.body = R"({"code":"INVALID_PARAMETER","message":"body: needs string app_id and out_trade_no"})";
    return response;
  }
  auto outcome = trades_.pay(body["app_id"], body["out_trade_no"], clock_.now_unix_ms());
  if (outcome.changed) send_trade_notify(*outcome.value);
  if (outcome.refusal) {
    response.status = outcome.refusal->sub_code == "ACQ.TRADE_NOT_EXIST" ? 404 : 409;
    response.body = json{{"code", outcome.refusal->sub_code}, {"message", outcome.refusal->sub_msg}}.dump();
    return response;
  }
  response.body = json{{"code", "OK"},
                       {"trade_no", outcome.value->trade_no},
                       {"trade_status", to_string(outcome.value->status)}}
                      .dump();
  return response;
}

}  // namespace paygate::alipay
