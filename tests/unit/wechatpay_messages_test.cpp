// Proves the readers of WeChat Pay's transaction and callback bodies: what the sandbox writes reads back
// field for field, and every malformed body is refused with the field and the problem named.
#include <gtest/gtest.h>

#include <string>

#include "infra/channels/wechatpay/messages.h"

namespace paygate::wechatpay {
namespace {

Transaction paid_transaction() {
  Transaction t;
  t.appid = "wx8888888888888888";
  t.mchid = "1900000001";
  t.out_trade_no = "20261123010748277uSSyHeRLj2DC";
  t.transaction_id = "4200000000202611230000012345";
  t.trade_state = "SUCCESS";
  t.trade_type = "NATIVE";
  t.payer_openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
  t.total_fen = 990;
  t.payer_total_fen = 980;
  t.success_time = "2026-11-23T09:07:48+08:00";
  return t;
}

TEST(WechatpayMessages, ATransactionReadsBackFieldForField) {
  const Transaction written = paid_transaction();
  auto read = parse_transaction(transaction_json(written));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->appid, written.appid);
  EXPECT_EQ(read->mchid, written.mchid);
  EXPECT_EQ(read->out_trade_no, written.out_trade_no);
  EXPECT_EQ(read->transaction_id, written.transaction_id);
  EXPECT_EQ(read->trade_state, written.trade_state);
  EXPECT_EQ(read->trade_type, written.trade_type);
  EXPECT_EQ(read->payer_openid, written.payer_openid);
  EXPECT_EQ(read->total_fen, 990);
  EXPECT_EQ(read->payer_total_fen, 980);
  EXPECT_EQ(read->success_time, written.success_time);
}

TEST(WechatpayMessages, ATransactionWithABadFieldIsRefusedByName) {
  const std::string head = R"({"appid":"wx1","mchid":"19","out_trade_no":"o1","trade_state":"SUCCESS",)";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"appid":"wx1"})", "mchid: is missing"},
      {R"({"appid":7,"mchid":"19","out_trade_no":"o1","trade_state":"SUCCESS","amount":{"total":1}})",
       "appid: must be a string"},
      {R"({"appid":"","mchid":"19","out_trade_no":"o1","trade_state":"SUCCESS","amount":{"total":1}})",
       "appid: is empty"},
      {head + R"("amount":"990"})", "amount: must be an object"},
      {head + R"("trade_state_desc":"x"})", "amount: must be an object"},
      {head + R"("amount":{"total":"990"}})", "amount.total: must be an integer (fen)"},
      {head + R"("amount":{"total":9.9}})", "amount.total: must be an integer (fen)"},
      {head + R"("amount":{"total":-1}})", "amount.total: must not be negative"},
      {head + R"("amount":{"total":9223372036854775808}})", "amount.total: must be an integer (fen)"},
      // Past 64 bits the document itself does not parse (simdjson refuses big integers).
      {head + R"("amount":{"total":99999999999999999999}})", "body: not a JSON object"},
      {head + R"("amount":{}})", "amount.total: is missing"},
      {head + R"("amount":{"total":1,"payer_total":"1"}})", "amount.payer_total: must be an integer (fen)"},
      {head + R"("transaction_id":1,"amount":{"total":1}})", "transaction_id: must be a string"},
      {"[]", "body: not a JSON object"},
      {head + R"("amount":{"total":1}} trailing)", "body: not a JSON object"},
      {head + "\"amount\":{\"total\":1},\"x\":\"\xff\"}", "body: not a JSON object"},
      {"", "body: not a JSON object"},
  };
  for (const auto& [body, message] : cases) {
    auto read = parse_transaction(body);
    ASSERT_FALSE(read.ok()) << body;
    EXPECT_EQ(read.error().message, message) << body;
  }
}

TEST(WechatpayMessages, ACallbackReadsBackFieldForField) {
  Callback written;
  written.id = "EV-2018022511223320873";
  written.create_time = "2026-11-23T09:07:48+08:00";
  written.event_type = "TRANSACTION.SUCCESS";
  written.summary = "支付成功";
  written.resource = {"AEAD_AES_256_GCM", "Y2lwaGVydGV4dA==", "transaction", "0123456789ab", "transaction"};
  auto read = parse_callback(callback_json(written));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->id, written.id);
  EXPECT_EQ(read->create_time, written.create_time);
  EXPECT_EQ(read->resource_type, "encrypt-resource");
  EXPECT_EQ(read->event_type, written.event_type);
  EXPECT_EQ(read->summary, written.summary);
  EXPECT_EQ(read->resource.algorithm, written.resource.algorithm);
  EXPECT_EQ(read->resource.ciphertext, written.resource.ciphertext);
  EXPECT_EQ(read->resource.associated_data, written.resource.associated_data);
  EXPECT_EQ(read->resource.nonce, written.resource.nonce);
  EXPECT_EQ(read->resource.original_type, written.resource.original_type);
}

TEST(WechatpayMessages, ACallbackWithABadFieldIsRefusedByName) {
  const std::string head = R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS",)";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource"})", "id: is missing"},
      {head + R"("resource_type":"plain","resource":{}})", "resource_type: must be encrypt-resource"},
      {head + R"("resource_type":"encrypt-resource"})", "resource: must be an object"},
      {head + R"("resource_type":"encrypt-resource","resource":{"algorithm":"A","nonce":"n"}})",
       "resource.ciphertext: is missing"},
      {head +
           R"("resource_type":"encrypt-resource","resource":{"algorithm":"A","ciphertext":"c","nonce":1}})",
       "resource.nonce: must be a string"},
      {head + R"("resource_type":"encrypt-resource","summary":[],"resource":{}})",
       "summary: must be a string"},
      {"{\"id\":", "body: not a JSON object"},
  };
  for (const auto& [body, message] : cases) {
    auto read = parse_callback(body);
    ASSERT_FALSE(read.ok()) << body;
    EXPECT_EQ(read.error().message, message) << body;
  }
}

}  // namespace
}  // namespace paygate::wechatpay
