// Proves the text and time helpers that guard outside input: UTF-8, RFC 3339, ids, base64.
#include <gtest/gtest.h>

#include <set>

#include "core/ids.h"
#include "core/text.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/random_ids.h"

namespace paygate {
namespace {

TEST(Utf8, CountsCodePointsAndRejectsMalformedSequences) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("咖啡"), 2u);
  EXPECT_EQ(utf8_length("😀"), 1u);
  EXPECT_EQ(utf8_length(""), 0u);
  for (const char* bad :
       {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe5\x92", "a\x80"}) {
    EXPECT_FALSE(utf8_length(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T15:27:44.123Z"), 1795361264123);
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-11-22 15:27:44Z", "2026-11-22T15:27:44", "yesterday",
                          "2026-11-22T24:00:00Z", "2026-11-22T15:27:44.Z"}) {
    EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_rfc3339_ms(1795361264123), "2026-11-22T15:27:44.123Z");
  EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(1795361264123)), 1795361264123);
}

TEST(Ids, OrderIdsSortByTimeAndAreValidAtEveryChannel) {
  std::set<std::string> ids;
  std::string previous;
  for (std::int64_t t = 1'700'000'000'000; t < 1'700'000'000'000 + 2000; t += 10) {
    const std::string id = new_order_id(t).value;
    EXPECT_TRUE(is_order_id_syntax(id)) << id;
    EXPECT_LE(id.size(), 32u) << "WeChat Pay limits out_trade_no to 32";
    EXPECT_GT(id, previous);
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(new_merchant_secret().size(), 46u);
  EXPECT_NE(new_merchant_secret(), new_merchant_secret());
}

TEST(Ids, EventIdsSortByTimeAndNeverRepeatWithinAMillisecond) {
  std::set<std::string> ids;
  std::string previous;
  for (std::int64_t t = 1'700'000'000'000; t < 1'700'000'000'000 + 100; ++t) {
    const std::string id = new_event_id(t);
    EXPECT_TRUE(id.starts_with("evt_") && id.size() == 38 && is_token(id, 64)) << id;
    EXPECT_GT(id, previous);
    previous = id;
    ids.insert(id);
  }
  for (int i = 0; i < 1000; ++i) ids.insert(new_event_id(1'800'000'000'000));
  EXPECT_EQ(ids.size(), 1100u);
}

TEST(PercentDecode, DecodesEscapesAndPlusesAndRefusesBrokenEscapes) {
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode("a+b%20c"), "a b c");
  EXPECT_EQ(percent_decode("%41%42"), "AB");
  EXPECT_EQ(percent_decode("%e6%94%af%E4%BB%98+ok"), "\xe6\x94\xaf\xe4\xbb\x98 ok");
  EXPECT_EQ(percent_decode("++"), "  ");
  for (const char* broken : {"%", "%4", "100%", "a%zz", "%g1b", "x%4+"}) {
    EXPECT_FALSE(percent_decode(broken).has_value()) << broken;
  }
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  for (std::string bytes : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                            std::string("\0\xff\x10", 3)}) {
    auto decoded = crypto::base64_decode(crypto::base64_encode(bytes));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(crypto::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(crypto::base64_decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(crypto::base64_decode("Zm9").has_value());
}

}  // namespace
}  // namespace paygate
