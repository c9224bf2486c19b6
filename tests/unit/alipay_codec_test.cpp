// Proves the Alipay RSA2 codec byte for byte: the signing string, a signature equal to OpenSSL's command
// line, response-substring extraction that survives escapes, nested "sign" keys and whitespace, and strict
// forms.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "infra/channels/alipay/codec.h"

namespace paygate::alipay {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream file(std::string(PAYGATE_SOURCE_DIR) + "/tests/data/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

Params precreate_params() {
  return Params{{"app_id", "2021000000000001"},
                {"method", "alipay.trade.precreate"},
                {"charset", "utf-8"},
                {"sign_type", "RSA2"},
                {"timestamp", "2026-11-22 23:00:00"},
                {"version", "1.0"},
                {"notify_url", ""},
                {"biz_content", R"({"out_trade_no":"T1","total_amount":"9.90","subject":"咖啡"})"}};
}

TEST(AlipaySigning, StringDropsSignAndEmptiesSortsAndKeepsValuesRaw) {
  Params params = precreate_params();
  params["sign"] = "xyz";
  EXPECT_EQ(
      signing_string(params, SignScope::kRequest),
      R"(app_id=2021000000000001&biz_content={"out_trade_no":"T1","total_amount":"9.90","subject":"咖啡"})"
      "&charset=utf-8&method=alipay.trade.precreate&sign_type=RSA2&timestamp=2026-11-22 "
      "23:00:00&version=1.0");
  EXPECT_EQ(signing_string(params, SignScope::kNotify).find("sign_type"), std::string::npos)
      << "notifies are verified without sign_type";
  // Byte order: uppercase sorts before lowercase, '_' (0x5F) between them.
  EXPECT_EQ(signing_string(Params{{"b", "1"}, {"B", "2"}, {"a_b", "3"}, {"ab", "4"}}, SignScope::kRequest),
            "B=2&a_b=3&ab=4&b=1");
}

TEST(AlipaySigning, SignatureEqualsOpenSslCommandLine) {
  auto key = crypto::RsaPrivateKey::from_pem(fixture("alipay_test_app_key_pkcs1.pem"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  std::string expected = fixture("alipay_test_precreate_sign.b64");
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
  EXPECT_EQ(sign(precreate_params(), SignScope::kRequest, *key), expected);
}

TEST(AlipaySigning, VerifiesWithEveryPublicKeyFormAndRejectsTampering) {
  auto key = crypto::RsaPrivateKey::from_pem(fixture("alipay_test_app_key_pkcs1.pem"));
  ASSERT_TRUE(key.ok());
  // PKCS#8 and a bare Base64 body (as Alipay's key tool prints it) load as the same key.
  auto pkcs8 = crypto::RsaPrivateKey::from_pem(key->to_pkcs8_pem());
  ASSERT_TRUE(pkcs8.ok());
  Params params = precreate_params();
  params["sign"] = sign(params, SignScope::kRequest, *pkcs8);
  std::string spki = fixture("alipay_test_app_pub.pem");
  std::string bare;
  std::istringstream lines(spki);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("-----", 0) != 0) bare += line;
  }
  for (const std::string& text : {spki, fixture("alipay_test_app_pub_pkcs1.pem"), bare}) {
    auto public_key = crypto::RsaPublicKey::from_pem(text);
    ASSERT_TRUE(public_key.ok()) << public_key.error().message;
    EXPECT_TRUE(verify(params, SignScope::kRequest, *public_key));
    for (const char* field : {"app_id", "biz_content", "sign_type", "timestamp"}) {
      Params tampered = params;
      tampered[field] += "x";
      EXPECT_FALSE(verify(tampered, SignScope::kRequest, *public_key)) << field;
    }
    Params unsigned_params = params;
    unsigned_params.erase("sign");
    EXPECT_FALSE(verify(unsigned_params, SignScope::kRequest, *public_key));
    Params garbage = params;
    garbage["sign"] = "!!!not base64!!!";
    EXPECT_FALSE(verify(garbage, SignScope::kRequest, *public_key));
  }
  auto other = crypto::RsaPrivateKey::generate();
  auto other_public = crypto::RsaPublicKey::from_pem(other.public_key_pem());
  ASSERT_TRUE(other_public.ok());
  EXPECT_FALSE(verify(params, SignScope::kRequest, *other_public)) << "a different key must not verify";
  EXPECT_FALSE(crypto::RsaPrivateKey::from_pem("not a key").ok());
  EXPECT_FALSE(
      crypto::RsaPublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").ok());
}

TEST(AlipayResponse, ExtractsTheExactSignedBytes) {
  const std::string inner =
      R"({"code":"10000","msg":"Success","out_trade_no":"T1","qr_code":"https:\/\/qr.alipay.com\/bax0","note":"a } and a { in \"quotes\""})";
  const std::string body = "{\"alipay_trade_precreate_response\":" + inner + ",\"sign\":\"ab\\/cd==\"}";
  auto split = split_signed_response(body, "alipay.trade.precreate");
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->content, inner) << "escapes are kept as sent: the signature covers raw bytes";
  EXPECT_EQ(split->sign, "ab/cd==");
  EXPECT_EQ(split->key, "alipay_trade_precreate_response");
}

TEST(AlipayResponse, HandlesJavaStyleWhitespaceNestedSignAndSignFirst) {
  const std::string inner =
      "{ \"code\" : \"10000\", \"sign\" : \"inner-not-the-signature\", \"list\" : [ {\"a\":1} ] }";
  const std::string java =
      "{\n  \"sign\" : \"c2ln\",\n  \"alipay_trade_query_response\" : " + inner + "\n}\n";
  auto split = split_signed_response(java, "alipay.trade.query");
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->content, inner);
  EXPECT_EQ(split->sign, "c2ln");
}

TEST(AlipayResponse, ErrorResponsesAndMalformedBodies) {
  auto error = split_signed_response(
      R"({"error_response":{"code":"40002","sub_code":"isv.invalid-signature"}})", "alipay.trade.query");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "error_response");
  EXPECT_FALSE(error->sign.has_value());
  for (const char* bad : {"", "[]", "{}", "{\"alipay_trade_query_response\":{\"a\":1}",
                          "{\"alipay_trade_query_response\":{\"a\":\"1}}",
                          "{\"alipay_trade_query_response\":{},\"alipay_trade_query_response\":{}}",
                          "{\"alipay_trade_query_response\":\"text\"}", "{\"other_response\":{}}",
                          "{\"alipay_trade_query_response\":{}} trailing",
                          "{\"alipay_trade_query_response\":{},\"sign\":\"a\",\"sign\":\"b\"}"}) {
    EXPECT_FALSE(split_signed_response(bad, "alipay.trade.query").has_value()) << bad;
  }
}

TEST(AlipayResponse, VerifiesOnlyTheSignedBytes) {
  auto key = crypto::RsaPrivateKey::generate();
  auto public_key = crypto::RsaPublicKey::from_pem(key.public_key_pem());
  ASSERT_TRUE(public_key.ok());
  const std::string inner = R"({"code":"10000","msg":"Success","qr_code":"https:\/\/qr.alipay.com\/x"})";
  const std::string body = "{\"alipay_trade_precreate_response\":" + inner + ",\"sign\":\"" +
                           key.sign_sha256_base64(inner) + "\"}";
  auto split = split_signed_response(body, "alipay.trade.precreate");
  ASSERT_TRUE(split.has_value());
  EXPECT_TRUE(verify_response(*split, *public_key));
  std::string tampered = body;
  tampered.replace(tampered.find("10000"), 5, "10001");
  auto tampered_split = split_signed_response(tampered, "alipay.trade.precreate");
  ASSERT_TRUE(tampered_split.has_value());
  EXPECT_FALSE(verify_response(*tampered_split, *public_key));
}

TEST(AlipayForm, RoundTripsAndRejectsGarbage) {
  const Params params = {
      {"biz_content", R"({"subject":"咖啡 & 茶","x":"a=b"})"}, {"sign", "a+b/c=="}, {"empty", ""}};
  auto decoded = form_decode(form_encode(params));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, params);
  EXPECT_FALSE(form_decode("a=%zz").ok());
  EXPECT_FALSE(form_decode("a=%4").ok());
  EXPECT_FALSE(form_decode("a=1&a=2").ok());
  EXPECT_FALSE(form_decode("=1").ok());
  EXPECT_EQ(form_decode("a=1+2&b=%E5%92%96")->at("a"), "1 2");
}

TEST(AlipayMoney, YuanAndFenConvertExactly) {
  EXPECT_EQ(*yuan_to_fen("9.90"), 990);
  EXPECT_EQ(*yuan_to_fen("0.01"), 1);
  EXPECT_EQ(*yuan_to_fen("100"), 10000);
  EXPECT_FALSE(yuan_to_fen("9.999").ok());
  EXPECT_FALSE(yuan_to_fen("-1.00").ok());
  EXPECT_EQ(fen_to_yuan(990), "9.90");
  EXPECT_EQ(fen_to_yuan(1), "0.01");
  EXPECT_EQ(format_beijing_time(0), "1970-01-01 08:00:00");
}

}  // namespace
}  // namespace paygate::alipay

namespace paygate::alipay {
namespace {

// Found by the response_split fuzzer: a closer that does not match its opener must not end the object.
TEST(AlipayResponse, MismatchedBracketsAreNotAnObject) {
  EXPECT_FALSE(split_signed_response(R"({"alipay_trade_query_response":{ "a" : [ {"b":"}"}: "x" ] ]})",
                                     "alipay.trade.query")
                   .has_value());
  EXPECT_FALSE(
      split_signed_response(R"({"alipay_trade_query_response":{"a":[}]})", "alipay.trade.query").has_value());
  EXPECT_TRUE(
      split_signed_response(R"({"alipay_trade_query_response":{"a":[{"b":"]}"}]}})", "alipay.trade.query")
          .has_value());
}

}  // namespace
}  // namespace paygate::alipay
