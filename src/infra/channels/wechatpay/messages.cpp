#include "infra/channels/wechatpay/messages.h"

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace paygate::wechatpay {
namespace {

using nlohmann::json;

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

Error bad(std::string_view field, std::string_view why) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", field, why));
}

Result<json> parse_object(std::string_view text) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return bad("body", "not a JSON object");
  return value;
}

// A string member; empty when absent, an error when present with another type.
Result<std::string> text(const json& object, const char* name, std::string_view path, bool required) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) return bad(fmt::format("{}{}", path, name), "is missing");
    return std::string();
  }
  if (!it->is_string()) return bad(fmt::format("{}{}", path, name), "must be a string");
  if (required && it->get_ref<const std::string&>().empty())
    return bad(fmt::format("{}{}", path, name), "is empty");
  return it->get<std::string>();
}

// Reads each named string member into its field (see text()); the first problem is the answer.
Status read_texts(const json& object, std::initializer_list<std::pair<const char*, std::string*>> fields,
                  std::string_view path, bool required) {
  for (const auto& [name, target] : fields) {
    auto value = text(object, name, path, required);
    if (!value.ok()) return std::move(value).error();
    *target = std::move(value).value();
  }
  return {};
}

Result<std::int64_t> integer(const json& object, const char* name, std::string_view path, bool required) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) return bad(fmt::format("{}{}", path, name), "is missing");
    return std::int64_t{0};
  }
  if (!it->is_number_integer()) return bad(fmt::format("{}{}", path, name), "must be an integer (fen)");
  const std::int64_t value = it->get<std::int64_t>();
  if (value < 0) return bad(fmt::format("{}{}", path, name), "must not be negative");
  return value;
}

Result<EncryptedResource> resource_from(const json& object, std::string_view path) {
  EncryptedResource out;
  auto algorithm = text(object, "algorithm", path, true);
  auto ciphertext = text(object, "ciphertext", path, true);
  auto aad = text(object, "associated_data", path, false);
  auto nonce = text(object, "nonce", path, true);
  auto original_type = text(object, "original_type", path, false);
  for (auto* field : {&algorithm, &ciphertext, &aad, &nonce, &original_type}) {
    if (!field->ok()) return field->error();
  }
  out.algorithm = *algorithm;
  out.ciphertext = *ciphertext;
  out.associated_data = *aad;
  out.nonce = *nonce;
  out.original_type = *original_type;
  return out;
}

json resource_to(const EncryptedResource& resource) {
  json out = {{"algorithm", resource.algorithm},
              {"ciphertext", resource.ciphertext},
              {"associated_data", resource.associated_data},
              {"nonce", resource.nonce}};
  if (!resource.original_type.empty()) out["original_type"] = resource.original_type;
  return out;
}

}  // namespace

std::string transaction_json(const Transaction& t) {
  json out = {{"appid", t.appid},
              {"mchid", t.mchid},
              {"out_trade_no", t.out_trade_no},
              {"trade_state", t.trade_state},
              {"trade_state_desc", t.trade_state == "SUCCESS" ? "支付成功" : "订单状态"},
              {"trade_type", t.trade_type},
              {"amount", {{"total", t.total_fen}, {"currency", "CNY"}}}};
  if (!t.transaction_id.empty()) out["transaction_id"] = t.transaction_id;
  if (!t.success_time.empty()) {
    out["success_time"] = t.success_time;
    out["bank_type"] = "OTHERS";
    out["payer"] = {{"openid", t.payer_openid}};
    out["amount"]["payer_total"] = t.payer_total_fen;
    out["amount"]["payer_currency"] = "CNY";
  }
  return dump(out);
}

Result<RefundInfo> parse_refund(std::string_view json_text) {
  auto parsed = parse_object(json_text);
  if (!parsed.ok()) return std::move(parsed).error();
  const json& body = *parsed;
  RefundInfo out;
  // The API answer says "status"; the callback plaintext says "refund_status".
  const char* status_name = body.contains("refund_status") ? "refund_status" : "status";
  if (auto read = read_texts(
          body,
          {{"out_refund_no", &out.out_refund_no}, {"refund_id", &out.refund_id}, {status_name, &out.status}},
          "", true);
      !read.ok())
    return std::move(read).error();
  if (auto read = read_texts(body,
                             {{"mchid", &out.mchid},
                              {"out_trade_no", &out.out_trade_no},
                              {"transaction_id", &out.transaction_id},
                              {"success_time", &out.success_time},
                              {"create_time", &out.create_time}},
                             "", false);
      !read.ok())
    return std::move(read).error();
  auto amount = body.find("amount");
  if (amount == body.end() || !amount->is_object()) return bad("amount", "must be an object");
  auto refund = integer(*amount, "refund", "amount.", true);
  auto total = integer(*amount, "total", "amount.", true);
  if (!refund.ok()) return std::move(refund).error();
  if (!total.ok()) return std::move(total).error();
  out.refund_fen = *refund;
  out.total_fen = *total;
  return out;
}

std::string refund_json(const RefundInfo& r, bool as_callback) {
  json out = {{"out_trade_no", r.out_trade_no},
              {"transaction_id", r.transaction_id},
              {"out_refund_no", r.out_refund_no},
              {"refund_id", r.refund_id},
              {"user_received_account", "支付用户零钱"},
              {"amount",
               {{"total", r.total_fen},
                {"refund", r.refund_fen},
                {"payer_total", r.total_fen},
                {"payer_refund", r.refund_fen}}}};
  if (as_callback) {
    out["mchid"] = r.mchid;
    out["refund_status"] = r.status;
  } else {
    out["status"] = r.status;
    out["channel"] = "ORIGINAL";
    out["create_time"] = r.create_time;
    out["amount"]["currency"] = "CNY";
  }
  if (!r.success_time.empty()) out["success_time"] = r.success_time;
  return dump(out);
}

std::string callback_json(const Callback& c) {
  return dump(json{{"id", c.id},
                   {"create_time", c.create_time},
                   {"resource_type", c.resource_type},
                   {"event_type", c.event_type},
                   {"summary", c.summary},
                   {"resource", resource_to(c.resource)}});
}

Result<std::vector<CertificateEntry>> parse_certificates(std::string_view json_text) {
  auto parsed = parse_object(json_text);
  if (!parsed.ok()) return std::move(parsed).error();
  auto data = parsed->find("data");
  if (data == parsed->end() || !data->is_array()) return bad("data", "must be an array");
  std::vector<CertificateEntry> out;
  for (std::size_t i = 0; i < data->size(); ++i) {
    const json& item = (*data)[i];
    const std::string path = fmt::format("data[{}].", i);
    if (!item.is_object()) return bad(fmt::format("data[{}]", i), "must be an object");
    CertificateEntry entry;
    if (auto read = read_texts(item,
                               {{"serial_no", &entry.serial_no},
                                {"effective_time", &entry.effective_time},
                                {"expire_time", &entry.expire_time}},
                               path, true);
        !read.ok())
      return std::move(read).error();
    auto encrypted = item.find("encrypt_certificate");
    if (encrypted == item.end() || !encrypted->is_object())
      return bad(path + "encrypt_certificate", "must be an object");
    auto resource = resource_from(*encrypted, path + "encrypt_certificate.");
    if (!resource.ok()) return std::move(resource).error();
    entry.encrypt_certificate = std::move(resource).value();
    out.push_back(std::move(entry));
  }
  return out;
}

std::string certificates_json(const std::vector<CertificateEntry>& entries) {
  json data = json::array();
  for (const CertificateEntry& entry : entries) {
    data.push_back({{"serial_no", entry.serial_no},
                    {"effective_time", entry.effective_time},
                    {"expire_time", entry.expire_time},
                    {"encrypt_certificate", resource_to(entry.encrypt_certificate)}});
  }
  return dump(json{{"data", std::move(data)}});
}

ErrorAnswer parse_error_answer(std::string_view json_text) {
  const json body = json::parse(json_text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return {};
  ErrorAnswer out;
  if (auto it = body.find("code"); it != body.end() && it->is_string()) out.code = it->get<std::string>();
  if (auto it = body.find("message"); it != body.end() && it->is_string())
    out.message = it->get<std::string>();
  return out;
}

std::string error_json(std::string_view code, std::string_view message) {
  return dump(json{{"code", code}, {"message", message}});
}

}  // namespace paygate::wechatpay
