#include "domain/ledger/rounding.h"

#include "core/assert.h"

namespace paygate::ledger {

std::string_view to_string(Rounding rule) {
  switch (rule) {
    case Rounding::kHalfUp:
      return "half_up";
    case Rounding::kHalfEven:
      return "half_even";
    case Rounding::kDown:
      return "down";
  }
  PAYGATE_ASSERT(false);
  return "";
}

std::optional<Rounding> parse_rounding(std::string_view text) {
  for (Rounding rule : {Rounding::kHalfUp, Rounding::kHalfEven, Rounding::kDown}) {
    if (to_string(rule) == text) return rule;
  }
  return std::nullopt;
}

std::int64_t divide(Int128 numerator, Int128 denominator, Rounding rule) {
  PAYGATE_ASSERT(denominator > 0);
  const bool negative = numerator < 0;
  const Int128 magnitude = negative ? -numerator : numerator;
  Int128 quotient = magnitude / denominator;
  const Int128 remainder = magnitude % denominator;
  switch (rule) {
    case Rounding::kHalfUp:
      if (remainder * 2 >= denominator) ++quotient;
      break;
    case Rounding::kHalfEven:
      if (remainder * 2 > denominator || (remainder * 2 == denominator && quotient % 2 == 1)) ++quotient;
      break;
    case Rounding::kDown:
      break;
  }
  return static_cast<std::int64_t>(negative ? -quotient : quotient);
}

std::int64_t fee_minor(std::int64_t amount_minor, std::int32_t rate_bps, Rounding rule) {
  PAYGATE_ASSERT(rate_bps >= 0 && rate_bps <= 10'000);
  return divide(static_cast<Int128>(amount_minor) * rate_bps, 10'000, rule);
}

}  // namespace paygate::ledger
