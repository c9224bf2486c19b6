// Proves money parses and formats exactly, rejects what is not an amount, and never overflows silently.
#include <gtest/gtest.h>

#include "core/money.h"

namespace paygate {
namespace {

std::int64_t fen(std::string_view text) {
  auto money = parse_decimal(text, Currency::kCny);
  EXPECT_TRUE(money.ok()) << text;
  return money.ok() ? money->minor : -1;
}

std::string rejection(std::string_view text, bool allow_negative = false) {
  auto money = parse_decimal(text, Currency::kCny, allow_negative);
  EXPECT_FALSE(money.ok()) << text;
  return money.ok() ? "" : money.error().message;
}

TEST(Money, ParsesDecimalStringsExactly) {
  EXPECT_EQ(fen("9.90"), 990);
  EXPECT_EQ(fen("9.9"), 990);
  EXPECT_EQ(fen("0.01"), 1);
  EXPECT_EQ(fen("12"), 1200);
  EXPECT_EQ(fen("0"), 0);
  // 0.1 + 0.2 style inputs stay exact: no binary floating point anywhere.
  EXPECT_EQ(fen("0.10") + fen("0.20"), fen("0.30"));
  EXPECT_EQ(fen("10000000000000.00"), 1'000'000'000'000'000);
}

TEST(Money, RejectsWhatIsNotAnAmount) {
  EXPECT_NE(rejection("9.999").find("more than 2 decimals"), std::string::npos);
  EXPECT_NE(rejection("-1").find("negative"), std::string::npos);
  EXPECT_NE(rejection("01").find("leading zero"), std::string::npos);
  for (auto text : {"", ".5", "5.", "1e3", " 1", "1 ", "+1", "1,00", "0x10", "١٢"}) rejection(text);
  EXPECT_NE(rejection("10000000000000.01").find("too large"), std::string::npos);
  EXPECT_NE(rejection("99999999999999999999999").find("too large"), std::string::npos);
}

TEST(Money, NegativeOnlyWhenAllowed) {
  auto refund = parse_decimal("-0.05", Currency::kCny, true);
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->minor, -5);
  EXPECT_EQ(format_decimal(*refund), "-0.05");
}

TEST(Money, FormatsWithTheCurrencyDecimals) {
  EXPECT_EQ(format_decimal(Money{990, Currency::kCny}), "9.90");
  EXPECT_EQ(format_decimal(Money{1, Currency::kCny}), "0.01");
  EXPECT_EQ(format_decimal(Money{0, Currency::kCny}), "0.00");
  EXPECT_EQ(format_decimal(Money{123456789, Currency::kCny}), "1234567.89");
}

TEST(Money, FormatThenParseRoundTrips) {
  for (std::int64_t minor : {0LL, 1LL, 9LL, 10LL, 99LL, 100LL, 101LL, 123456789LL, 1'000'000'000'000'000LL}) {
    auto parsed = parse_decimal(format_decimal(Money{minor, Currency::kCny}), Currency::kCny);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->minor, minor);
  }
}

TEST(Money, ArithmeticIsChecked) {
  auto sum = add(Money{990, Currency::kCny}, Money{10, Currency::kCny});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->minor, 1000);
  EXPECT_FALSE(add(Money{kMoneyMinorMax, Currency::kCny}, Money{1, Currency::kCny}).ok());
  auto difference = subtract(Money{100, Currency::kCny}, Money{250, Currency::kCny});
  ASSERT_TRUE(difference.ok());
  EXPECT_EQ(difference->minor, -150);
}

TEST(Money, CurrenciesAreKnownByCode) {
  EXPECT_EQ(parse_currency("CNY"), Currency::kCny);
  EXPECT_FALSE(parse_currency("USD").has_value());
  EXPECT_FALSE(parse_currency("cny").has_value());
  EXPECT_EQ(currency_exponent(Currency::kCny), 2);
}

}  // namespace
}  // namespace paygate
