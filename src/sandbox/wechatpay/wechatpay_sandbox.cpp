#include "sandbox/wechatpay/wechatpay_sandbox.h"

#include <atomic>

#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "fmt/format.h"
#include "infra/channels/wechatpay/bill_file.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/messages.h"
#include "infra/http/gzip.h"
#include "nlohmann/json.hpp"

namespace paygate::wechatpay {
namespace {

using nlohmann::json;

constexpr std::int64_t kTotalFenMax = 10'000'000'000;
constexpr std::size_t kBillsMax = 256;
constexpr std::int64_t kSandboxCostRateBps = 60;  // what the sandbox charges, shown in bills

std::string text_field(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<std::int64_t> fen_field(const json& body, const char* object, const char* name) {
  auto outer = body.find(object);
  if (outer == body.end() || !outer->is_object()) return std::nullopt;
  auto it = outer->find(name);
  if (it == outer->end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// WeChat Pay's out_trade_no: 6-32 of [A-Za-z0-9_-|*].
bool is_out_trade_no(std::string_view text) {
  if (text.size() < 6 || text.size() > 32) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '|' && c != '*')
      return false;
  }
  return true;
}

std::string serial_for_new_certificate() {
  // 20 random bytes as 40 upper-case hex digits, with a non-zero first digit so the serial keeps its length.
  std::string serial = crypto::hex_encode(crypto::random_bytes(20));
  for (char& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (serial[0] == '0') serial[0] = '1';
  return serial;
}

Transaction to_message(const SandboxTransaction& t) {
  Transaction out;
  out.appid = t.appid;
  out.mchid = t.mchid;
  out.out_trade_no = t.out_trade_no;
  out.transaction_id = t.transaction_id;
  out.trade_state = t.trade_state;
  out.trade_type = t.trade_type;
  out.total_fen = t.total_fen;
  if (t.paid_at_ms > 0) {
    out.payer_openid = t.openid;
    out.payer_total_fen = t.total_fen;
    out.success_time = format_beijing_rfc3339(t.paid_at_ms);
  }
  return out;
}

RefundInfo to_message(const SandboxTransaction& t, const SandboxRefund& r) {
  RefundInfo out;
  out.mchid = t.mchid;
  out.out_trade_no = t.out_trade_no;
  out.transaction_id = t.transaction_id;
  out.out_refund_no = r.out_refund_no;
  out.refund_id = r.refund_id;
  out.status = r.status;
  out.refund_fen = r.amount_fen;
  out.total_fen = t.total_fen;
  out.create_time = format_beijing_rfc3339(r.created_at_ms);
  if (r.succeeded_at_ms > 0) out.success_time = format_beijing_rfc3339(r.succeeded_at_ms);
  return out;
}

std::int64_t fee_of(std::int64_t fen) { return (fen * kSandboxCostRateBps + 5'000) / 10'000; }

}  // namespace

PlatformIdentity PlatformIdentity::issue(crypto::RsaPrivateKey key, std::string_view common_name,
                                         std::int64_t now_ms, int validity_days) {
  auto certificate =
      crypto::Certificate::self_signed(key, serial_for_new_certificate(), common_name, now_ms - 3'600'000,
                                       now_ms + std::int64_t{validity_days} * 86'400'000);
  return PlatformIdentity{std::move(key), std::move(certificate)};
}

WechatpaySandbox::WechatpaySandbox(PlatformIdentity platform, const Clock& clock, std::string public_base_url,
                                   double notify_retry_scale)
    : clock_(clock),
      public_base_url_(std::move(public_base_url)),
      notifies_(sandbox::NotifyDialect::wechatpay(), notify_retry_scale) {
  platform_.push_back(std::move(platform));
}

void WechatpaySandbox::register_merchant(SandboxMerchant merchant) {
  std::lock_guard lock(merchants_mutex_);
  merchants_.insert_or_assign(merchant.mchid, std::move(merchant));
}

std::optional<SandboxMerchant> WechatpaySandbox::merchant(const std::string& mchid) const {
  std::lock_guard lock(merchants_mutex_);
  auto it = merchants_.find(mchid);
  if (it == merchants_.end()) return std::nullopt;
  return it->second;
}

bool WechatpaySandbox::serves(std::string_view path) {
  return path.rfind("/v3/", 0) == 0 || path.rfind("/sandbox/wechatpay/", 0) == 0;
}

const crypto::Certificate& WechatpaySandbox::rotate() {
  PlatformIdentity next = PlatformIdentity::generate(clock_.now_unix_ms());
  {
    std::lock_guard lock(platform_mutex_);
    platform_.push_back(std::move(next));
  }
  if (on_rotate_) on_rotate_();
  std::lock_guard lock(platform_mutex_);
  return platform_.back().certificate;
}

std::vector<crypto::Certificate> WechatpaySandbox::certificates() const {
  std::lock_guard lock(platform_mutex_);
  std::vector<crypto::Certificate> out;
  const std::int64_t now_ms = clock_.now_unix_ms();
  for (const PlatformIdentity& identity : platform_) {
    if (identity.certificate.not_after_ms() > now_ms) out.push_back(identity.certificate);
  }
  return out;
}

SignatureHeaders WechatpaySandbox::sign(std::string_view body, std::int64_t now_ms) const {
  std::lock_guard lock(platform_mutex_);
  const PlatformIdentity& signer = platform_.back();
  return sign_response(public_key_mode_ ? std::string(kPublicKeyId) : signer.certificate.serial_hex(),
                       signer.key, body, now_ms);
}

std::string WechatpaySandbox::platform_public_key_pem() const {
  std::lock_guard lock(platform_mutex_);
  return platform_.back().key.public_key_pem();
}

http::Response WechatpaySandbox::signed_reply(int status, std::string body) const {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.headers = to_header_list(sign(body, clock_.now_unix_ms()));
  response.headers.emplace_back("Request-ID", crypto::random_hex(16));
  response.body = std::move(body);
  return response;
}

http::Response WechatpaySandbox::refusal(const Refusal& refusal) const {
  return signed_reply(refusal.status, error_json(refusal.code, refusal.message));
}

void WechatpaySandbox::handle(const http::Request& request, http::Responder respond) {
  const std::string_view path = request.path();
  if (path.rfind("/v3/", 0) == 0) {
    // A slow (or timed-out) WeChat: the answer is held, not computed late, so state moves at once.
    const std::uint32_t delay_ms = faults_.call_delay_ms();
    http::Response answer = api(request);
    if (delay_ms == 0) return respond(std::move(answer));
    timers_.schedule(std::chrono::milliseconds(delay_ms),
                     [respond, answer = std::move(answer)]() mutable { respond(std::move(answer)); });
    return;
  }
  if (path == "/sandbox/wechatpay/faults") {
    auto [status, body] = sandbox::faults_endpoint(faults_, request.method, request.body);
    return respond(http::Response{status, "application/json", {}, std::move(body)});
  }
  if (path == "/sandbox/wechatpay/pay" && request.method == "POST") return respond(pay(request));
  if (path == "/sandbox/wechatpay/public-key-mode" && request.method == "POST") {
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("enabled") ||
        !body["enabled"].is_boolean()) {
      return respond(
          http::Response{400,
                         "application/json",
                         {},
                         R"({"code":"INVALID_PARAMETER","message":"enabled: must be true or false"})"});
    }
    set_public_key_mode(body["enabled"].get<bool>());
    return respond(http::Response{
        200,
        "application/json",
        {},
        json{{"public_key_id", kPublicKeyId}, {"public_key", platform_public_key_pem()}}.dump()});
  }
  if (path == "/sandbox/wechatpay/rotate" && request.method == "POST") {
    const crypto::Certificate& fresh = rotate();
    json serials = json::array();
    for (const auto& certificate : certificates()) serials.push_back(certificate.serial_hex());
    return respond(http::Response{200,
                                  "application/json",
                                  {},
                                  json{{"serial_no", fresh.serial_hex()}, {"certificates", serials}}.dump()});
  }
  respond(http::Response{
      404, "application/json", {}, R"({"code":"ROUTE_NOT_FOUND","message":"no sandbox endpoint here"})"});
}

http::Response WechatpaySandbox::api(const http::Request& request) {
  // Authenticate like WeChat Pay: Authorization parsed in any field order, known merchant and serial, fresh
  // timestamp, signature over METHOD\nTARGET\nTS\nNONCE\nBODY\n.
  auto authorization = parse_authorization(request.header("authorization"));
  if (!authorization.ok()) return refusal({401, "SIGN_ERROR", authorization.error().message});
  auto known = merchant(authorization->mchid);
  if (!known) return refusal({401, "SIGN_ERROR", "商户号不存在"});
  if (authorization->serial_no != known->merchant_serial)
    return refusal({401, "SIGN_ERROR", "商户证书序列号错误"});
  if (auto fresh = check_timestamp(authorization->timestamp, clock_.now_unix_ms()); !fresh)
    return refusal({401, "SIGN_ERROR", fresh.error().message});
  const std::string message = request_message(request.method, request.target, authorization->timestamp,
                                              authorization->nonce_str, request.body);
  if (!known->merchant_public_key.verify_sha256_base64(message, authorization->signature))
    return refusal({401, "SIGN_ERROR", "签名错误"});
  const std::string_view path = request.path();
  // Bill files are fetched with a signed request too, but the file itself is not signed.
  if (path == "/v3/billdownload/file" && request.method == "GET") {
    const auto token = http::query_param(request.query(), "token").value_or("");
    std::lock_guard lock(bills_mutex_);
    auto it = bills_by_token_.find(known->mchid + '\x1f' + token);
    if (it == bills_by_token_.end()) return refusal({404, "RESOURCE_NOT_EXISTS", "账单不存在"});
    return http::Response{200, "application/octet-stream", {}, it->second};
  }
  if (faults_.fail_call()) return refusal({500, "SYSTEM_ERROR", "系统错误"});

  const SandboxMerchant& m = *known;
  if (path == "/v3/certificates" && request.method == "GET") {
    std::vector<CertificateEntry> entries;
    for (const crypto::Certificate& certificate : certificates()) {
      entries.push_back(
          CertificateEntry{certificate.serial_hex(), format_beijing_rfc3339(certificate.not_before_ms()),
                           format_beijing_rfc3339(certificate.not_after_ms()),
                           encrypt_resource(m.apiv3_key, certificate.to_pem(), "certificate", "")});
    }
    return signed_reply(200, certificates_json(entries));
  }
  if (path == "/v3/pay/transactions/native" && request.method == "POST")
    return transact(m, "NATIVE", request.body);
  if (path == "/v3/pay/transactions/jsapi" && request.method == "POST")
    return transact(m, "JSAPI", request.body);
  constexpr std::string_view kByOutTradeNo = "/v3/pay/transactions/out-trade-no/";
  if (path.rfind(kByOutTradeNo, 0) == 0) {
    std::string rest(path.substr(kByOutTradeNo.size()));
    if (request.method == "GET" && rest.find('/') == std::string::npos) {
      if (http::query_param(request.query(), "mchid").value_or("") != m.mchid)
        return refusal({400, "PARAM_ERROR", "mchid 与请求头中的商户号不一致"});
      auto t = book_.find(m.mchid, rest);
      if (!t) return refusal({404, "ORDER_NOT_EXIST", "订单不存在"});
      return signed_reply(200, transaction_json(to_message(*t)));
    }
    constexpr std::string_view kClose = "/close";
    if (request.method == "POST" && rest.size() > kClose.size() &&
        rest.compare(rest.size() - kClose.size(), kClose.size(), kClose) == 0) {
      const json body = json::parse(request.body, nullptr, false);
      if (body.is_discarded() || text_field(body, "mchid") != m.mchid)
        return refusal({400, "PARAM_ERROR", "mchid 与请求头中的商户号不一致"});
      auto outcome = book_.close(m.mchid, rest.substr(0, rest.size() - kClose.size()));
      if (outcome.refusal) return refusal(*outcome.refusal);
      return signed_reply(204, "");
    }
  }
  if (path == "/v3/refund/domestic/refunds" && request.method == "POST") return refund(m, request.body);
  constexpr std::string_view kRefundByNo = "/v3/refund/domestic/refunds/";
  if (path.rfind(kRefundByNo, 0) == 0 && request.method == "GET") {
    auto found = book_.find_refund(m.mchid, std::string(path.substr(kRefundByNo.size())));
    if (!found) return refusal({404, "RESOURCE_NOT_EXISTS", "退款单不存在"});
    return signed_reply(200, refund_json(to_message(found->first, found->second), false));
  }
  if (path == "/v3/bill/tradebill" && request.method == "GET") return trade_bill(m, request.query());
  return refusal({404, "NOT_FOUND", "无效的请求路径"});
}

http::Response WechatpaySandbox::transact(const SandboxMerchant& m, const std::string& trade_type,
                                          const std::string& text) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return refusal({400, "PARAM_ERROR", "请求体不是 JSON 对象"});
  NewTransaction request;
  request.mchid = text_field(body, "mchid");
  request.appid = text_field(body, "appid");
  request.out_trade_no = text_field(body, "out_trade_no");
  request.description = text_field(body, "description");
  request.notify_url = text_field(body, "notify_url");
  request.trade_type = trade_type;
  if (request.mchid != m.mchid) return refusal({400, "PARAM_ERROR", "mchid 与请求头中的商户号不一致"});
  if (request.appid != m.appid) return refusal({400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配"});
  if (!is_out_trade_no(request.out_trade_no)) return refusal({400, "PARAM_ERROR", "out_trade_no 格式错误"});
  const auto description_length = utf8_length(request.description);
  if (!description_length || *description_length == 0 || *description_length > 127)
    return refusal({400, "PARAM_ERROR", "description 长度应为 1-127 个字符"});
  if (request.notify_url.rfind("http://", 0) != 0 && request.notify_url.rfind("https://", 0) != 0)
    return refusal({400, "PARAM_ERROR", "notify_url 格式错误"});
  const auto total = fen_field(body, "amount", "total");
  if (!total || *total < 1 || *total > kTotalFenMax)
    return refusal({400, "PARAM_ERROR", "amount.total 无效"});
  request.total_fen = *total;
  if (auto currency = body.find("amount")->find("currency");
      currency != body.find("amount")->end() && (!currency->is_string() || *currency != "CNY")) {
    return refusal({400, "PARAM_ERROR", "amount.currency 只支持 CNY"});
  }
  if (trade_type == "JSAPI") {
    auto payer = body.find("payer");
    if (payer == body.end() || !payer->is_object() || text_field(*payer, "openid").empty())
      return refusal({400, "PARAM_ERROR", "payer.openid 不能为空"});
    request.openid = text_field(*payer, "openid");
  }
  auto outcome = book_.prepay(request, clock_.now_unix_ms());
  if (outcome.refusal) return refusal(*outcome.refusal);
  if (trade_type == "NATIVE") return signed_reply(200, json{{"code_url", outcome.value->code_url}}.dump());
  return signed_reply(200, json{{"prepay_id", outcome.value->prepay_id}}.dump());
}

http::Response WechatpaySandbox::refund(const SandboxMerchant& m, const std::string& text) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return refusal({400, "PARAM_ERROR", "请求体不是 JSON 对象"});
  std::string out_trade_no = text_field(body, "out_trade_no");
  if (out_trade_no.empty()) {
    // The transaction may be named by WeChat's own transaction_id instead.
    const std::string transaction_id = text_field(body, "transaction_id");
    for (const SandboxTransaction& t : book_.transactions_of(m.mchid)) {
      if (!transaction_id.empty() && t.transaction_id == transaction_id) out_trade_no = t.out_trade_no;
    }
  }
  const std::string out_refund_no = text_field(body, "out_refund_no");
  if (out_trade_no.empty()) return refusal({400, "PARAM_ERROR", "out_trade_no 或 transaction_id 必填其一"});
  if (out_refund_no.empty() || out_refund_no.size() > 64)
    return refusal({400, "PARAM_ERROR", "out_refund_no 无效"});
  const auto amount = fen_field(body, "amount", "refund");
  const auto total = fen_field(body, "amount", "total");
  if (!amount || !total) return refusal({400, "PARAM_ERROR", "amount.refund 和 amount.total 必填"});
  auto outcome =
      book_.refund(m.mchid, out_trade_no, out_refund_no, *amount, *total, text_field(body, "notify_url"),
                   text_field(body, "reason"), clock_.now_unix_ms());
  if (outcome.refusal) return refusal(*outcome.refusal);
  if (outcome.changed) schedule_refund_end(m, out_refund_no);
  auto found = book_.find_refund(m.mchid, out_refund_no);
  return signed_reply(200, refund_json(to_message(found->first, found->second), false));
}

void WechatpaySandbox::schedule_refund_end(const SandboxMerchant& m, const std::string& out_refund_no) {
  const auto delay = std::chrono::milliseconds(faults_.current().refund_processing_ms);
  const bool abnormal = faults_.refund_abnormal();
  timers_.schedule(delay, [this, m, out_refund_no, abnormal] {
    auto outcome = book_.finish_refund(m.mchid, out_refund_no, abnormal, clock_.now_unix_ms());
    if (!outcome.changed) return;
    const SandboxRefund& refund = outcome.value->refunds.at(out_refund_no);
    if (refund.notify_url.empty()) return;
    send_callback(m, refund.notify_url, abnormal ? "REFUND.ABNORMAL" : "REFUND.SUCCESS",
                  abnormal ? "退款异常" : "退款成功", "refund",
                  refund_json(to_message(*outcome.value, refund), true));
  });
}

void WechatpaySandbox::send_callback(const SandboxMerchant& m, const std::string& notify_url,
                                     const std::string& event_type, const std::string& summary,
                                     const std::string& original_type, const std::string& plaintext) {
  const std::int64_t now_ms = clock_.now_unix_ms();
  Callback callback;
  callback.id = crypto::random_hex(4) + "-" + crypto::random_hex(2) + "-" + crypto::random_hex(2) + "-" +
                crypto::random_hex(2) + "-" + crypto::random_hex(6);
  callback.create_time = format_beijing_rfc3339(now_ms);
  callback.event_type = event_type;
  callback.summary = summary;
  callback.resource = encrypt_resource(m.apiv3_key, plaintext, original_type, original_type);
  const std::string body = callback_json(callback);
  // Signed now, with the key current now: a delayed delivery after a rotation carries the old serial.
  const SignatureHeaders signature = sign(body, now_ms);
  if (faults_.drop_notify()) return;
  const auto delay = std::chrono::milliseconds(faults_.notify_delay_ms());
  sandbox::OutgoingNotify notify{notify_url, "application/json", to_header_list(signature), body};
  if (faults_.duplicate_notify()) notifies_.send(notify, delay);
  notifies_.send(std::move(notify), delay);
}

http::Response WechatpaySandbox::pay(const http::Request& request) {
  const json body = json::parse(request.body, nullptr, false);
  http::Response response;
  if (body.is_discarded() || !body.is_object() || text_field(body, "mchid").empty() ||
      text_field(body, "out_trade_no").empty()) {
    response.status = 400;
    response.body = R"({"code":"INVALID_PARAMETER","message":"body: needs string mchid and out_trade_no"})";
    return response;
  }
  auto m = merchant(text_field(body, "mchid"));
  if (!m) {
    response.status = 404;
    response.body = R"({"code":"MCH_NOT_EXISTS","message":"no such mchid"})";
    return response;
  }
  auto outcome = book_.pay(m->mchid, text_field(body, "out_trade_no"), clock_.now_unix_ms());
  if (outcome.refusal) {
    response.status = outcome.refusal->status;
    response.body = error_json(outcome.refusal->code, outcome.refusal->message);
    return response;
  }
  if (outcome.changed) {
    send_callback(*m, outcome.value->notify_url, "TRANSACTION.SUCCESS", "支付成功", "transaction",
                  transaction_json(to_message(*outcome.value)));
  }
  response.body = json{{"code", "OK"},
                       {"transaction_id", outcome.value->transaction_id},
                       {"trade_state", outcome.value->trade_state}}
                      .dump();
  return response;
}

http::Response WechatpaySandbox::trade_bill(const SandboxMerchant& m, std::string_view query) {
  const std::string bill_date = http::query_param(query, "bill_date").value_or("");
  const std::string bill_type = http::query_param(query, "bill_type").value_or("ALL");
  const std::string tar_type = http::query_param(query, "tar_type").value_or("");
  const auto day_start = parse_beijing_time(bill_date + " 00:00:00");
  if (!day_start) return refusal({400, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-dd"});
  if (bill_type != "ALL" && bill_type != "SUCCESS" && bill_type != "REFUND")
    return refusal({400, "PARAM_ERROR", "bill_type 无效"});
  if (!tar_type.empty() && tar_type != "GZIP") return refusal({400, "PARAM_ERROR", "tar_type 只支持 GZIP"});
  const std::int64_t day_end = *day_start + 86'400'000;
  auto on_day = [&](std::int64_t ms) { return ms >= *day_start && ms < day_end; };
  std::vector<BillRow> rows;
  for (const SandboxTransaction& t : book_.transactions_of(m.mchid)) {
    BillRow base;
    base.appid = t.appid;
    base.mchid = t.mchid;
    base.transaction_id = t.transaction_id;
    base.out_trade_no = t.out_trade_no;
    base.openid = t.openid;
    base.trade_type = t.trade_type;
    base.description = t.description;
    if (bill_type != "REFUND" && t.paid_at_ms > 0 && on_day(t.paid_at_ms)) {
      BillRow row = base;
      row.at_ms = t.paid_at_ms;
      row.trade_state = "SUCCESS";
      row.settlement_fen = t.total_fen;
      row.order_fen = t.total_fen;
      row.fee_fen = fee_of(t.total_fen);
      rows.push_back(std::move(row));
    }
    if (bill_type == "SUCCESS") continue;
    for (const auto& [no, r] : t.refunds) {
      if (r.status != "SUCCESS" || !on_day(r.succeeded_at_ms)) continue;
      BillRow row = base;
      row.at_ms = r.succeeded_at_ms;
      row.trade_state = "REFUND";
      row.refund_id = r.refund_id;
      row.out_refund_no = r.out_refund_no;
      row.refund_fen = r.amount_fen;
      row.requested_refund_fen = r.amount_fen;
      row.refund_status = "SUCCESS";
      row.fee_fen = -fee_of(r.amount_fen);
      rows.push_back(std::move(row));
    }
  }
  const std::string file = write_trade_bill(rows);
  static std::atomic<std::uint64_t> sequence{0};
  const std::string token = fmt::format("{}{}", sequence.fetch_add(1), crypto::random_base62(16));
  {
    std::lock_guard lock(bills_mutex_);
    if (bills_by_token_.size() >= kBillsMax) bills_by_token_.erase(bills_by_token_.begin());
    bills_by_token_.emplace(m.mchid + '\x1f' + token, tar_type == "GZIP" ? http::gzip_compress(file) : file);
  }
  // hash_value is the SHA-1 of the bill itself (before any GZIP), as WeChat Pay documents it.
  return signed_reply(200, json{{"hash_type", "SHA1"},
                                {"hash_value", crypto::hex_encode(crypto::sha1(file))},
                                {"download_url", public_base_url_ + "/v3/billdownload/file?token=" + token}}
                               .dump());
}

}  // namespace paygate::wechatpay
