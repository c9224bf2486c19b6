// Proves the WeChat Pay wire rules: the Authorization header in any field order and each way it can be
// wrong, the signed messages byte for byte, the clock window, AEAD_AES_256_GCM resources and every tamper,
// certificates and their validity as the platform-key store sees them, the trade bill, gzip, and config.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "crypto/aead.h"
#include "crypto/x509.h"
#include "infra/channels/wechatpay/bill_file.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/messages.h"
#include "infra/channels/wechatpay/platform_keys.h"
#include "infra/http/gzip.h"

namespace paygate::wechatpay {
namespace {

constexpr std::int64_t kNowMs = 1'795'379'720'000;
const std::string kApiV3Key = "0123456789abcdefghijklmnopqrstuv";

TEST(WechatpayAuthorization, FieldsParseInAnyOrder) {
  const std::string sdk_order =
      R"(WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="5157F09E",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="c2ln")";
  const std::string go_order =
      R"(WECHATPAY2-SHA256-RSA2048 nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242", signature="c2ln", timestamp="1554208460", serial_no="5157F09E", mchid="1900000109")";
  for (const std::string& header : {sdk_order, go_order}) {
    auto parsed = parse_authorization(header);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->mchid, "1900000109");
    EXPECT_EQ(parsed->serial_no, "5157F09E");
    EXPECT_EQ(parsed->timestamp, "1554208460");
    EXPECT_EQ(parsed->nonce_str, "593BEC0C930BF1AFEB40B4A08C8FB242");
    EXPECT_EQ(parsed->signature, "c2ln");
  }
  EXPECT_EQ(parse_authorization(format_authorization(*parse_authorization(sdk_order)))->mchid, "1900000109");
}

TEST(WechatpayAuthorization, EachProblemIsNamed) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(Bearer mchid="1")", "scheme"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="s",timestamp="1")",
       "serial_no is missing"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",signature="s",timestamp="1",serial_no="a")",
       "mchid appears twice"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n")", "mchid must be quoted"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="1",color="red")", "unknown field color"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="1)", "unterminated quote"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="n")", "mchid is empty"},
      {R"(WECHATPAY2-SHA256-RSA2048 mchid="1" nonce_str="n")", "separated by ','"},
  };
  for (const auto& [header, problem] : cases) {
    auto parsed = parse_authorization(header);
    ASSERT_FALSE(parsed.ok()) << header;
    EXPECT_EQ(parsed.error().code, ErrorCode::kSignatureInvalid);
    EXPECT_NE(parsed.error().message.find(problem), std::string::npos) << parsed.error().message;
  }
}

TEST(WechatpayMessages, SignedMessagesAreExact) {
  EXPECT_EQ(request_message("GET", "/v3/certificates", "1554208460", "593BEC0C", ""),
            "GET\n/v3/certificates\n1554208460\n593BEC0C\n\n");
  EXPECT_EQ(request_message("POST", "/v3/pay/transactions/native", "1", "n", R"({"a":1})"),
            "POST\n/v3/pay/transactions/native\n1\nn\n{\"a\":1}\n");
  EXPECT_EQ(response_message("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", ""),
            "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n");
}

TEST(WechatpayMessages, RequestAndResponseSignaturesVerifyWithTheOtherHalf) {
  const auto key = crypto::RsaPrivateKey::generate();
  const auto public_key = crypto::RsaPublicKey::from_pem(key.public_key_pem()).value();
  const Authorization a = sign_request("1900000109", "ABC", key, "POST", "/v3/x?y=1", "{}", kNowMs);
  EXPECT_EQ(a.timestamp, std::to_string(kNowMs / 1000));
  EXPECT_EQ(a.nonce_str.size(), 32u);
  EXPECT_TRUE(public_key.verify_sha256_base64(
      request_message("POST", "/v3/x?y=1", a.timestamp, a.nonce_str, "{}"), a.signature));
  EXPECT_FALSE(public_key.verify_sha256_base64(
      request_message("POST", "/v3/x?y=2", a.timestamp, a.nonce_str, "{}"), a.signature));
  const SignatureHeaders s = sign_response("SERIAL", key, "body", kNowMs);
  auto read = read_signature_headers({{"wechatpay-timestamp", s.timestamp},
                                      {"wechatpay-nonce", s.nonce},
                                      {"wechatpay-serial", s.serial},
                                      {"wechatpay-signature", s.signature}});
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(public_key.verify_sha256_base64(response_message(read->timestamp, read->nonce, "body"),
                                              read->signature));
  auto missing = read_signature_headers({{"wechatpay-timestamp", s.timestamp}, {"wechatpay-nonce", s.nonce}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "Wechatpay-Serial header is missing");
}

TEST(WechatpayMessages, TimestampsOutsideFiveMinutesAreRefused) {
  const std::int64_t now_s = kNowMs / 1000;
  EXPECT_TRUE(check_timestamp(std::to_string(now_s - 300), kNowMs).ok());
  EXPECT_TRUE(check_timestamp(std::to_string(now_s + 300), kNowMs).ok());
  EXPECT_FALSE(check_timestamp(std::to_string(now_s - 301), kNowMs).ok());
  EXPECT_FALSE(check_timestamp(std::to_string(now_s + 301), kNowMs).ok());
  EXPECT_FALSE(check_timestamp("12a", kNowMs).ok());
  EXPECT_FALSE(check_timestamp("", kNowMs).ok());
}

TEST(WechatpayResources, DecryptOnlyWhatWasSealedWithTheKey) {
  const EncryptedResource sealed =
      encrypt_resource(kApiV3Key, R"({"out_trade_no":"x"})", "transaction", "transaction");
  EXPECT_EQ(sealed.nonce.size(), 12u);
  auto plain = decrypt_resource(kApiV3Key, sealed);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, R"({"out_trade_no":"x"})");

  auto tampered = [&](auto change) {
    EncryptedResource copy = sealed;
    change(copy);
    return decrypt_resource(kApiV3Key, copy).ok();
  };
  EXPECT_FALSE(tampered([](EncryptedResource& r) { r.associated_data = "refund"; }));
  EXPECT_FALSE(tampered([](EncryptedResource& r) { r.nonce[0] = r.nonce[0] == 'a' ? 'b' : 'a'; }));
  EXPECT_FALSE(tampered([](EncryptedResource& r) { r.ciphertext = "AAAA" + r.ciphertext.substr(4); }));
  EXPECT_FALSE(tampered([](EncryptedResource& r) { r.ciphertext = "not base64!"; }));
  EXPECT_FALSE(tampered([](EncryptedResource& r) { r.algorithm = "AEAD_AES_128_GCM"; }));
  EXPECT_FALSE(decrypt_resource(std::string(32, 'k'), sealed).ok());
  EXPECT_FALSE(crypto::aes256gcm_open(kApiV3Key, "nonce", "", "short").has_value());
}

TEST(WechatpayPlatformKeys, AnOldCertificateVerifiesUntilItExpires) {
  const auto old_key = crypto::RsaPrivateKey::generate();
  const auto new_key = crypto::RsaPrivateKey::generate();
  const auto old_cert =
      crypto::Certificate::self_signed(old_key, "1A2B", "old", kNowMs - 86'400'000, kNowMs + 60'000);
  const auto new_cert =
      crypto::Certificate::self_signed(new_key, "3C4D", "new", kNowMs - 1'000, kNowMs + 86'400'000);
  EXPECT_EQ(old_cert.serial_hex(), "1A2B");
  EXPECT_EQ(old_cert.not_after_ms(), kNowMs + 60'000);
  PlatformKeys keys;
  keys.add_certificate(old_cert);
  keys.add_certificate(new_cert);
  EXPECT_TRUE(keys.find("1A2B", kNowMs).has_value());
  EXPECT_TRUE(keys.find("3C4D", kNowMs).has_value());
  EXPECT_EQ(keys.certificate_serials(kNowMs).size(), 2u);
  // A minute later the old one has expired: its signatures are no longer believed.
  EXPECT_FALSE(keys.find("1A2B", kNowMs + 61'000).has_value());
  EXPECT_TRUE(keys.find("3C4D", kNowMs + 61'000).has_value());
  EXPECT_FALSE(keys.find("3C4D", kNowMs - 2'000).has_value());  // not yet valid
  EXPECT_FALSE(keys.find("FFFF", kNowMs).has_value());
  const auto signature = sign_response("1A2B", old_key, "x", kNowMs);
  EXPECT_TRUE(keys.find("1A2B", kNowMs)
                  ->verify_sha256_base64(response_message(signature.timestamp, signature.nonce, "x"),
                                         signature.signature));
  EXPECT_FALSE(
      crypto::Certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
}

TEST(WechatpayBill, WrittenBillsReadBackAndBadTotalsAreRefused) {
  BillRow payment;
  payment.at_ms = kNowMs;
  payment.appid = "wxd678efh567hg6787";
  payment.mchid = "1900000109";
  payment.transaction_id = "4200001";
  payment.out_trade_no = "order-1";
  payment.trade_state = "SUCCESS";
  payment.settlement_fen = 990;
  payment.order_fen = 990;
  payment.fee_fen = 6;
  payment.description = "咖啡, 大杯";  // the comma cannot break the columns
  BillRow refund = payment;
  refund.trade_state = "REFUND";
  refund.settlement_fen = 0;
  refund.order_fen = 0;
  refund.refund_id = "5000001";
  refund.out_refund_no = "R1";
  refund.refund_fen = 300;
  refund.requested_refund_fen = 300;
  refund.refund_status = "SUCCESS";
  refund.fee_fen = -2;
  const std::string file = write_trade_bill({payment, refund});
  EXPECT_EQ(file.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(file.find("\r\n`"), std::string::npos);
  auto bill = parse_trade_bill(file);
  ASSERT_TRUE(bill.ok()) << bill.error().message;
  ASSERT_EQ(bill->rows.size(), 2u);
  EXPECT_EQ(bill->rows[0].settlement_fen, 990);
  EXPECT_EQ(bill->rows[0].at_ms, kNowMs);
  EXPECT_EQ(bill->rows[1].out_refund_no, "R1");
  EXPECT_EQ(bill->rows[1].fee_fen, -2);
  EXPECT_EQ(bill->totals.refund_fen, 300);
  EXPECT_EQ(bill->totals.fee_fen, 4);

  std::string wrong_total = file;
  wrong_total.replace(wrong_total.rfind("`3.00"), 5, "`3.01");
  auto refused = parse_trade_bill(wrong_total);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("totals"), std::string::npos);
  std::string bad_amount = file;
  bad_amount.replace(bad_amount.find("`9.90"), 5, "`9.9x");
  EXPECT_NE(parse_trade_bill(bad_amount).error().message.find("应结订单金额"), std::string::npos);
  EXPECT_FALSE(parse_trade_bill("not a bill").ok());
}

TEST(Gzip, RoundTripsAndRefusesGarbage) {
  const std::string text(100'000, 'x');
  const std::string packed = http::gzip_compress(text);
  EXPECT_TRUE(http::looks_gzipped(packed));
  EXPECT_LT(packed.size(), text.size() / 10);
  EXPECT_EQ(http::gzip_decompress(packed).value(), text);
  EXPECT_FALSE(http::gzip_decompress(packed.substr(0, packed.size() / 2)).ok());
  EXPECT_FALSE(http::gzip_decompress("plain").ok());
  EXPECT_FALSE(http::gzip_decompress(packed, 1'000).ok());
}

TEST(WechatpayConfig, AccountsAreValidatedKeyByKey) {
  const auto path =
      std::filesystem::temp_directory_path() / ("paygate-wx-" + std::to_string(::getpid()) + ".toml");
  auto load = [&](const std::string& text) {
    std::ofstream(path) << text;
    return load_config(path.string());
  };
  const std::string base =
      "[[channels.wechatpay]]\nid = \"wx-main\"\nmchid = \"1900000109\"\nappid = \"wxd678efh567hg6787\"\n"
      "merchant_private_key_file = \"k.pem\"\nmerchant_serial = \"ABC\"\n";
  auto good = load(base + "apiv3_key_env = \"WX_KEY\"\ncost_rate_bps = 38\n");
  ASSERT_TRUE(good.ok()) << good.error().message;
  ASSERT_EQ(good->channels.wechatpay.size(), 1u);
  EXPECT_EQ(good->channels.wechatpay[0].cost_rate_bps, 38);
  EXPECT_EQ(
      load(base).error().message,
      "channels.wechatpay[0].apiv3_key_file: exactly one of apiv3_key_file and apiv3_key_env is required");
  EXPECT_EQ(load(base + "apiv3_key_env = \"K\"\ncolour = 1\n").error().message,
            "channels.wechatpay[0].colour: unknown key");
  EXPECT_EQ(load(base + "apiv3_key_env = \"K\"\nplatform_public_key_file = \"p.pem\"\n"
                        "platform_public_key_id = \"KEY1\"\n")
                .error()
                .message,
            "channels.wechatpay[0].platform_public_key_id: must start with PUB_KEY_ID_");
  EXPECT_EQ(load(base + "apiv3_key_env = \"K\"\n[[channels.alipay]]\nid = \"wx-main\"\napp_id = \"1\"\n"
                        "app_private_key_file = \"a\"\nalipay_public_key_file = \"b\"\n")
                .error()
                .message,
            "channels.wechatpay[0].id: is used twice");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace paygate::wechatpay
