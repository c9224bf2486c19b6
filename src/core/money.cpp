#include "core/money.h"

#include <array>
#include <cstdlib>

#include "fmt/format.h"

namespace paygate {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
};

constexpr std::array kCurrencies = {CurrencyInfo{"CNY", 2}};

const CurrencyInfo& info(Currency currency) {
  auto index = static_cast<std::size_t>(currency);
  PAYGATE_ASSERT(index < kCurrencies.size());
  return kCurrencies[index];
}

Error amount_error(std::string_view text, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("amount '{}' {}", text, problem));
}

bool in_range(std::int64_t minor) { return minor >= -kMoneyMinorMax && minor <= kMoneyMinorMax; }

}  // namespace

std::optional<Currency> parse_currency(std::string_view code) {
  for (std::size_t i = 0; i < kCurrencies.size(); ++i) {
    if (kCurrencies[i].code == code) return static_cast<Currency>(i);
  }
  return std::nullopt;
}

std::string_view currency_code(Currency currency) { return info(currency).code; }
int currency_exponent(Currency currency) { return info(currency).exponent; }

Result<Money> parse_decimal(std::string_view text, Currency currency, bool allow_negative) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    if (!allow_negative) return amount_error(original, "must not be negative");
    negative = true;
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const int exponent = currency_exponent(currency);

  if (whole.empty()) return amount_error(original, "needs digits before the decimal point");
  if (dot != std::string_view::npos && fraction.empty()) {
    return amount_error(original, "needs digits after the decimal point");
  }
  if (static_cast<int>(fraction.size()) > exponent) {
    return amount_error(original, fmt::format("has more than {} decimals", exponent));
  }
  if (whole.size() > 1 && whole.front() == '0') return amount_error(original, "has a leading zero");
  // 16 integer digits already exceed kMoneyMinorMax for any exponent >= 0, so stop before int64 overflow.
  if (whole.size() > 16) return amount_error(original, "is too large");

  std::int64_t minor = 0;
  auto push_digit = [&minor](char c) -> bool {
    if (c < '0' || c > '9') return false;
    minor = minor * 10 + (c - '0');
    return true;
  };
  for (char c : whole) {
    if (!push_digit(c)) return amount_error(original, "is not a decimal number");
  }
  for (char c : fraction) {
    if (!push_digit(c)) return amount_error(original, "is not a decimal number");
  }
  for (int i = static_cast<int>(fraction.size()); i < exponent; ++i) {
    if (minor > kMoneyMinorMax) break;
    minor *= 10;
  }
  if (minor > kMoneyMinorMax) return amount_error(original, "is too large");
  return Money{negative ? -minor : minor, currency};
}

std::string format_decimal(Money money) {
  const int exponent = currency_exponent(money.currency);
  std::int64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  const std::int64_t magnitude = money.minor < 0 ? -money.minor : money.minor;
  const char* sign = money.minor < 0 ? "-" : "";
  if (exponent == 0) return fmt::format("{}{}", sign, magnitude);
  return fmt::format("{}{}.{:0{}}", sign, magnitude / scale, magnitude % scale, exponent);
}

Result<Money> add(Money a, Money b) {
  if (a.currency != b.currency) {
    return make_error(
        ErrorCode::kInvalidParameter,
        fmt::format("cannot add {} to {}", currency_code(b.currency), currency_code(a.currency)));
  }
  PAYGATE_ASSERT(in_range(a.minor) && in_range(b.minor));
  const std::int64_t sum = a.minor + b.minor;  // cannot overflow: both are within +-10^15
  if (!in_range(sum)) return make_error(ErrorCode::kInvalidParameter, "amount sum is too large");
  return Money{sum, a.currency};
}

Result<Money> subtract(Money a, Money b) { return add(a, Money{-b.minor, b.currency}); }

}  // namespace paygate
