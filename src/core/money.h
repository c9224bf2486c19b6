// Money in integer minor units with its currency; exact decimal parsing and formatting, checked arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace paygate {

// Currencies paygate settles. CNY is the only one today; the table in money.cpp holds each one's exponent.
enum class Currency : std::uint8_t { kCny };

std::optional<Currency> parse_currency(std::string_view code);
std::string_view currency_code(Currency currency);
// Number of minor-unit digits (CNY: 2, fen).
int currency_exponent(Currency currency);

struct Money {
  std::int64_t minor = 0;  // e.g. fen for CNY
  Currency currency = Currency::kCny;

  friend bool operator==(const Money&, const Money&) = default;
};

// The largest amount any single money value may hold, in minor units: 10^15 (ten trillion yuan). Keeping
// every amount far below INT64_MAX means sums of thousands of amounts cannot overflow either.
inline constexpr std::int64_t kMoneyMinorMax = 1'000'000'000'000'000;

// Parses a decimal string such as "9.90" or "12" exactly into minor units. Rejects signs unless
// allow_negative, exponents, spaces, more decimals than the currency has, and values beyond kMoneyMinorMax.
Result<Money> parse_decimal(std::string_view text, Currency currency, bool allow_negative = false);

// Formats with exactly the currency's number of decimals: 990 fen -> "9.90", -5 -> "-0.05".
std::string format_decimal(Money money);

// Checked arithmetic: mixing currencies or leaving [-kMoneyMinorMax, kMoneyMinorMax] is an error.
Result<Money> add(Money a, Money b);
Result<Money> subtract(Money a, Money b);

}  // namespace paygate
