// The JSON bodies of WeChat Pay APIv3 that the adapter reads and the sandbox writes: transactions, refunds,
// callbacks, platform certificates and error answers. Every reader checks types and names the bad field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "infra/channels/wechatpay/codec.h"

namespace paygate::wechatpay {

// A transaction (query answer, or a decrypted TRANSACTION.* callback).
struct Transaction {
  std::string appid;
  std::string mchid;
  std::string out_trade_no;
  std::string transaction_id;  // WeChat's own number; empty until paid
  std::string trade_state;     // SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR
  std::string trade_type;      // NATIVE, JSAPI, ...
  std::string payer_openid;    // once paid
  std::int64_t total_fen = 0;
  std::int64_t payer_total_fen = 0;
  std::string success_time;  // RFC 3339; empty until paid
};
Result<Transaction> parse_transaction(std::string_view json_text);
std::string transaction_json(const Transaction& transaction);

// A refund (refund create or query answer, or a decrypted REFUND.* callback, which says refund_status).
struct RefundInfo {
  std::string mchid;  // callbacks only
  std::string out_trade_no;
  std::string transaction_id;
  std::string out_refund_no;
  std::string refund_id;  // WeChat's own number
  std::string status;     // SUCCESS, CLOSED, PROCESSING, ABNORMAL
  std::int64_t refund_fen = 0;
  std::int64_t total_fen = 0;
  std::string success_time;
  std::string create_time;
};
Result<RefundInfo> parse_refund(std::string_view json_text);
// as_callback: the REFUND.* callback plaintext (mchid, refund_status) instead of the API answer (status).
std::string refund_json(const RefundInfo& refund, bool as_callback);

struct Callback {
  std::string id;
  std::string create_time;
  std::string resource_type = "encrypt-resource";
  std::string event_type;  // TRANSACTION.SUCCESS, REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED, ...
  std::string summary;
  EncryptedResource resource;
};
Result<Callback> parse_callback(std::string_view json_text);
std::string callback_json(const Callback& callback);

struct CertificateEntry {
  std::string serial_no;
  std::string effective_time;
  std::string expire_time;
  EncryptedResource encrypt_certificate;
};
Result<std::vector<CertificateEntry>> parse_certificates(std::string_view json_text);
std::string certificates_json(const std::vector<CertificateEntry>& entries);

// {"code":"…","message":"…"}; empty strings when the body is not such an object.
struct ErrorAnswer {
  std::string code;
  std::string message;
};
ErrorAnswer parse_error_answer(std::string_view json_text);
std::string error_json(std::string_view code, std::string_view message);

}  // namespace paygate::wechatpay
