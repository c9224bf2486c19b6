// Proves the Authorization header grammar and the canonical request that merchants sign.
#include <gtest/gtest.h>

#include "app/merchant_signature.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace paygate {
namespace {

TEST(MerchantSignature, CanonicalRequestIsFiveLinesEachEndingInNewline) {
  EXPECT_EQ(canonical_request("POST", "/api/v1/orders?a=1", "1700000000", "n0nce123", "{}"),
            "POST\n/api/v1/orders?a=1\n1700000000\nn0nce123\n{}\n");
  EXPECT_EQ(canonical_request("GET", "/x", "1", "nnnnnnnn", ""), "GET\n/x\n1\nnnnnnnnn\n\n");
}

TEST(MerchantSignature, SignatureIsBase64OfHmacSha256) {
  const std::string canonical = canonical_request("GET", "/x", "1", "nnnnnnnn", "");
  EXPECT_EQ(sign_canonical_request("sk_test", canonical),
            crypto::base64_encode(crypto::hmac_sha256("sk_test", canonical)));
  // RFC 4231 test case 2, to pin HMAC-SHA256 itself.
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(MerchantSignature, ParsesInAnyOrderAndRoundTrips) {
  AuthorizationFields fields{"mch_1", "1700000000", "abcdefgh", "c2ln"};
  auto parsed = parse_authorization(format_authorization(fields));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->merchant_id, "mch_1");
  EXPECT_EQ(parsed->signature, "c2ln");
  auto reordered = parse_authorization(
      R"(PAYGATE-HMAC-SHA256 nonce="abcdefgh", signature="c2ln",timestamp="1700000000" , merchant_id="mch_1")");
  ASSERT_TRUE(reordered.has_value());
  EXPECT_EQ(reordered->nonce, "abcdefgh");
  EXPECT_EQ(reordered->timestamp, "1700000000");
}

TEST(MerchantSignature, RejectsMalformedHeaders) {
  for (const char* header : {
           "",
           "Bearer x",
           "PAYGATE-HMAC-SHA256",
           "PAYGATE-HMAC-SHA256x merchant_id=\"a\",timestamp=\"1\",nonce=\"abcdefgh\",signature=\"s\"",
           "PAYGATE-HMAC-SHA256 merchant_id=\"a\",timestamp=\"1\",nonce=\"abcdefgh\"",
           "PAYGATE-HMAC-SHA256 merchant_id=a,timestamp=\"1\",nonce=\"abcdefgh\",signature=\"s\"",
           "PAYGATE-HMAC-SHA256 "
           "merchant_id=\"a\",merchant_id=\"b\",timestamp=\"1\",nonce=\"abcdefgh\",signature=\"s\"",
           "PAYGATE-HMAC-SHA256 "
           "merchant_id=\"a\",timestamp=\"1\",nonce=\"abcdefgh\",signature=\"s\",extra=\"x\"",
           "PAYGATE-HMAC-SHA256 merchant_id=\"a\"b\",timestamp=\"1\",nonce=\"abcdefgh\",signature=\"s\"",
       }) {
    EXPECT_FALSE(parse_authorization(header).has_value()) << header;
  }
}

TEST(MerchantSignature, ConstantTimeCompareChecksLengthAndContent) {
  EXPECT_TRUE(crypto::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(crypto::constant_time_equal("", ""));
}

}  // namespace
}  // namespace paygate
