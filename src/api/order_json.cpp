#include "api/order_json.h"

#include <array>

#include "core/log.h"
#include "core/time.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace paygate::api {
namespace {

using nlohmann::json;

Error invalid(std::string_view field, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", field, problem));
}

Status read_string(const json& body, const char* field, std::optional<std::string>& out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) return invalid(field, "must be a string");
  out = it->get<std::string>();
  return {};
}

Status read_integer(const json& body, const char* field, std::optional<std::int64_t>& out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return {};
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return invalid(field, "is too large");
    out = static_cast<std::int64_t>(value);
    return {};
  }
  if (!it->is_number_integer()) return invalid(field, "must be an integer");
  out = it->get<std::int64_t>();
  return {};
}

constexpr std::array<std::string_view, 11> kCreateFields = {
    "out_trade_no", "amount",         "currency", "subject",   "channel", "method",
    "notify_url",   "expire_seconds", "metadata", "client_ip", "user_id"};

}  // namespace

Result<CreateOrderInput> parse_create_order(std::string_view text) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(ErrorCode::kInvalidJson, "body: must be a JSON object");
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find(kCreateFields.begin(), kCreateFields.end(), key) == kCreateFields.end()) {
      return invalid(key.substr(0, 64), "is not a field of an order");
    }
  }
  CreateOrderInput input;
  for (auto status :
       {read_string(body, "out_trade_no", input.out_trade_no),
        read_integer(body, "amount", input.amount_minor), read_string(body, "currency", input.currency),
        read_string(body, "subject", input.subject), read_string(body, "channel", input.channel),
        read_string(body, "method", input.method), read_string(body, "notify_url", input.notify_url),
        read_integer(body, "expire_seconds", input.expire_seconds),
        read_string(body, "client_ip", input.client_ip), read_string(body, "user_id", input.user_id)}) {
    if (!status) return std::move(status).error();
  }
  if (auto it = body.find("metadata"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return invalid("metadata", "must be a JSON object");
    // nlohmann::json keeps object keys sorted, so equal metadata always serialises to equal text.
    input.metadata_json = it->dump(-1, ' ', false, json::error_handler_t::strict);
  }
  return input;
}

std::string order_json_text(const Order& order, std::string_view public_base_url) {
  std::string out;
  out.reserve(640 + order.metadata_json.size());
  auto key = [&out](std::string_view name) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
  };
  auto text = [&](std::string_view name, std::string_view value) {
    key(name);
    log::append_json_string(out, value);
  };
  auto optional_text = [&](std::string_view name, std::string_view value) {
    if (value.empty()) {
      key(name);
      out += "null";
    } else {
      text(name, value);
    }
  };
  text("order_id", order.order_id.value);
  text("out_trade_no", order.out_trade_no);
  text("status", to_string(order.status));
  key("amount");
  out += std::to_string(order.amount.minor);
  text("currency", currency_code(order.amount.currency));
  text("subject", order.subject);
  optional_text("channel", order.channel ? to_string(*order.channel) : std::string_view{});
  optional_text("method", order.method);
  optional_text("notify_url", order.notify_url);
  key("metadata");
  // metadata_json is our own canonical serialisation of a validated object, so it is embedded as is.
  out += order.metadata_json.empty() ? std::string_view("null") : std::string_view(order.metadata_json);
  optional_text("client_ip", order.client_ip);
  optional_text("user_id", order.user_id);
  text("created_at", format_rfc3339_ms(order.created_at_ms));
  text("updated_at", format_rfc3339_ms(order.updated_at_ms));
  text("expires_at", format_rfc3339_ms(order.expires_at_ms));
  optional_text("payment_url", order.payment_url);
  key("payment_params");
  // Written by our own channel adapter as a JSON object, so it is embedded as is.
  out += order.payment_params_json.empty() ? std::string_view("null")
                                           : std::string_view(order.payment_params_json);
  optional_text("channel_trade_no", order.channel_trade_no);
  optional_text("paid_at", order.paid_at_ms > 0 ? format_rfc3339_ms(order.paid_at_ms) : std::string());
  key("refunded_amount");
  out += std::to_string(order.refunded_minor);
  key("refunding_amount");
  out += std::to_string(order.refunding_minor);
  key("late_payment");
  out += order.late_payment ? "true" : "false";
  key("cashier_url");
  std::string url(public_base_url);
  url += "/pay/";
  url += order.order_id.value;
  log::append_json_string(out, url);
  out += '}';
  return out;
}

json order_to_json(const Order& order, std::string_view public_base_url) {
  auto optional_text = [](const std::string& text) { return text.empty() ? json(nullptr) : json(text); };
  json metadata =
      order.metadata_json.empty() ? json(nullptr) : json::parse(order.metadata_json, nullptr, false);
  return json{
      {"order_id", order.order_id.value},
      {"out_trade_no", order.out_trade_no},
      {"status", to_string(order.status)},
      {"amount", order.amount.minor},
      {"currency", currency_code(order.amount.currency)},
      {"subject", order.subject},
      {"channel", order.channel ? json(to_string(*order.channel)) : json(nullptr)},
      {"method", optional_text(order.method)},
      {"notify_url", optional_text(order.notify_url)},
      {"metadata", std::move(metadata)},
      {"client_ip", optional_text(order.client_ip)},
      {"user_id", optional_text(order.user_id)},
      {"created_at", format_rfc3339_ms(order.created_at_ms)},
      {"updated_at", format_rfc3339_ms(order.updated_at_ms)},
      {"expires_at", format_rfc3339_ms(order.expires_at_ms)},
      {"payment_url", optional_text(order.payment_url)},
      {"payment_params", order.payment_params_json.empty()
                             ? json(nullptr)
                             : json::parse(order.payment_params_json, nullptr, false)},
      {"channel_trade_no", optional_text(order.channel_trade_no)},
      {"paid_at", order.paid_at_ms > 0 ? json(format_rfc3339_ms(order.paid_at_ms)) : json(nullptr)},
      {"refunded_amount", order.refunded_minor},
      {"refunding_amount", order.refunding_minor},
      {"late_payment", order.late_payment},
      {"cashier_url", fmt::format("{}/pay/{}", public_base_url, order.order_id.value)},
  };
}

}  // namespace paygate::api
