// Rounding of money fractions, always by a named rule (STYLE: rounding is an explicit call).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace paygate::ledger {

// 128-bit intermediates keep amount × rate and fee × share exact (g++ and clang extension).
__extension__ using Int128 = __int128;

enum class Rounding : std::uint8_t {
  kHalfUp,    // 0.5 fen and above rounds away from zero: the rule Chinese channels use for fees
  kHalfEven,  // banker's rounding
  kDown,      // toward zero
};

// "half_up", "half_even", "down": the names in config and in the store.
std::string_view to_string(Rounding rule);
std::optional<Rounding> parse_rounding(std::string_view text);

// numerator / denominator in minor units, rounded by rule. denominator > 0; |numerator| < 2^120.
std::int64_t divide(Int128 numerator, Int128 denominator, Rounding rule);

// amount_minor × rate_bps / 10000, rounded by rule: the fee on an amount at a rate in basis points.
std::int64_t fee_minor(std::int64_t amount_minor, std::int32_t rate_bps, Rounding rule);

}  // namespace paygate::ledger
