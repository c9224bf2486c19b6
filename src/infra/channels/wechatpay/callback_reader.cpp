// The two readers on the callback path, parse_callback and parse_transaction, on simdjson's DOM parser:
// every callback goes through both, and nlohmann::json's lexer and map-based DOM made them about 10 µs of
// an io thread per callback (bench/micro: BM_WechatCallbackOpen). simdjson validates the whole document,
// UTF-8 included, as nlohmann did, and a parser kept per thread reuses its buffers. The other WeChat Pay
// messages (answers, certificates, refunds) stay on nlohmann in messages.cpp.
#include <simdjson.h>

#include "fmt/format.h"
#include "infra/channels/wechatpay/messages.h"

namespace paygate::wechatpay {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

Error bad(std::string_view path, std::string_view name, std::string_view why) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}{}: {}", path, name, why));
}

// The body as a JSON object. The element lives in this thread's parser until its next parse.
Result<object> parse_object(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  object body;
  if (parser.parse(text.data(), text.size()).get(body) != simdjson::SUCCESS)
    return make_error(ErrorCode::kInvalidParameter, "body: not a JSON object");
  return body;
}

// A string member; empty when absent or null, an error when present with another type.
Result<std::string> text(const object& parent, std::string_view name, std::string_view path, bool required) {
  element value;
  if (parent[name].get(value) != simdjson::SUCCESS || value.is_null()) {
    if (required) return bad(path, name, "is missing");
    return std::string();
  }
  std::string_view string;
  if (value.get(string) != simdjson::SUCCESS) return bad(path, name, "must be a string");
  if (required && string.empty()) return bad(path, name, "is empty");
  return std::string(string);
}

// Reads each named string member into its field (see text()); the first problem is the answer.
Status read_texts(const object& parent,
                  std::initializer_list<std::pair<std::string_view, std::string*>> fields,
                  std::string_view path, bool required) {
  for (const auto& [name, target] : fields) {
    auto value = text(parent, name, path, required);
    if (!value.ok()) return std::move(value).error();
    *target = std::move(value).value();
  }
  return {};
}

// A non-negative integer member (fen); 0 when absent and not required.
Result<std::int64_t> fen(const object& parent, std::string_view name, std::string_view path, bool required) {
  element value;
  if (parent[name].get(value) != simdjson::SUCCESS || value.is_null()) {
    if (required) return bad(path, name, "is missing");
    return std::int64_t{0};
  }
  std::int64_t amount = 0;
  if (value.get(amount) != simdjson::SUCCESS) return bad(path, name, "must be an integer (fen)");
  if (amount < 0) return bad(path, name, "must not be negative");
  return amount;
}

// A member that must be an object.
Result<object> member_object(const object& parent, std::string_view name) {
  object member;
  if (parent[name].get(member) != simdjson::SUCCESS) return bad("", name, "must be an object");
  return member;
}

}  // namespace

Result<Transaction> parse_transaction(std::string_view json_text) {
  auto parsed = parse_object(json_text);
  if (!parsed.ok()) return std::move(parsed).error();
  const object& body = *parsed;
  Transaction out;
  if (auto read = read_texts(body,
                             {{"appid", &out.appid},
                              {"mchid", &out.mchid},
                              {"out_trade_no", &out.out_trade_no},
                              {"trade_state", &out.trade_state}},
                             "", true);
      !read.ok())
    return std::move(read).error();
  if (auto read = read_texts(
          body, {{"transaction_id", &out.transaction_id}, {"success_time", &out.success_time}}, "", false);
      !read.ok())
    return std::move(read).error();
  // Informational members: taken when they are strings, ignored otherwise.
  std::string_view informational;
  if (body["trade_type"].get(informational) == simdjson::SUCCESS) out.trade_type = informational;
  if (body["payer"]["openid"].get(informational) == simdjson::SUCCESS) out.payer_openid = informational;
  auto amount = member_object(body, "amount");
  if (!amount.ok()) return std::move(amount).error();
  auto total = fen(*amount, "total", "amount.", true);
  if (!total.ok()) return std::move(total).error();
  auto payer_total = fen(*amount, "payer_total", "amount.", false);
  if (!payer_total.ok()) return std::move(payer_total).error();
  out.total_fen = *total;
  out.payer_total_fen = *payer_total;
  return out;
}

Result<Callback> parse_callback(std::string_view json_text) {
  auto parsed = parse_object(json_text);
  if (!parsed.ok()) return std::move(parsed).error();
  const object& body = *parsed;
  Callback out;
  if (auto read = read_texts(
          body, {{"id", &out.id}, {"event_type", &out.event_type}, {"resource_type", &out.resource_type}}, "",
          true);
      !read.ok())
    return std::move(read).error();
  if (auto read = read_texts(body, {{"create_time", &out.create_time}, {"summary", &out.summary}}, "", false);
      !read.ok())
    return std::move(read).error();
  if (out.resource_type != "encrypt-resource") return bad("", "resource_type", "must be encrypt-resource");
  auto resource = member_object(body, "resource");
  if (!resource.ok()) return std::move(resource).error();
  EncryptedResource& r = out.resource;
  if (auto read = read_texts(
          *resource, {{"algorithm", &r.algorithm}, {"ciphertext", &r.ciphertext}, {"nonce", &r.nonce}},
          "resource.", true);
      !read.ok())
    return std::move(read).error();
  if (auto read = read_texts(*resource,
                             {{"associated_data", &r.associated_data}, {"original_type", &r.original_type}},
                             "resource.", false);
      !read.ok())
    return std::move(read).error();
  return out;
}

}  // namespace paygate::wechatpay
