// The WeChat Pay sandbox's record of transactions and refunds: what WeChat Pay itself would know about each
// (mchid, out_trade_no). Thread-safe; every method is one atomic step of the simulated WeChat Pay.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paygate::wechatpay {

struct SandboxRefund {
  std::string out_refund_no;
  std::string refund_id;  // WeChat's own: "50" + 30 digits
  std::int64_t amount_fen = 0;
  std::string status = "PROCESSING";  // PROCESSING -> SUCCESS, or ABNORMAL (the money could not go back)
  std::string notify_url;
  std::string reason;
  std::int64_t created_at_ms = 0;
  std::int64_t succeeded_at_ms = 0;
};

struct SandboxTransaction {
  std::string mchid;
  std::string appid;
  std::string out_trade_no;
  std::string transaction_id;  // "4200" + 24 digits, once paid
  std::string trade_type;      // NATIVE, JSAPI
  std::string description;
  std::string notify_url;
  std::string openid;     // jsapi: the payer named by the merchant; native: the sandbox payer once paid
  std::string code_url;   // native
  std::string prepay_id;  // jsapi
  std::string trade_state = "NOTPAY";  // NOTPAY, SUCCESS, REFUND, CLOSED
  std::int64_t total_fen = 0;
  std::int64_t refunded_fen = 0;  // refunds accepted (processing or succeeded)
  std::int64_t created_at_ms = 0;
  std::int64_t paid_at_ms = 0;
  std::map<std::string, SandboxRefund> refunds;  // by out_refund_no
};

// A refused operation: HTTP status and WeChat's code and message.
struct Refusal {
  int status = 400;
  std::string code;
  std::string message;
};

template <class T>
struct Outcome {
  std::optional<T> value;
  std::optional<Refusal> refusal;
  bool changed = false;  // the operation moved state (a repeat of a done operation leaves it false)
};

struct NewTransaction {
  std::string mchid, appid, out_trade_no, trade_type, description, notify_url, openid;
  std::int64_t total_fen = 0;
};

class TradeBook {
 public:
  // Creates the transaction, or returns it again for the same parameters while unpaid (WeChat treats a
  // repeated prepay as idempotent); other parameters, a paid or a closed transaction refuse.
  Outcome<SandboxTransaction> prepay(const NewTransaction& request, std::int64_t now_ms);
  std::optional<SandboxTransaction> find(const std::string& mchid, const std::string& out_trade_no) const;
  std::vector<SandboxTransaction> transactions_of(const std::string& mchid) const;
  Outcome<SandboxTransaction> close(const std::string& mchid, const std::string& out_trade_no);
  // The payer pays: NOTPAY -> SUCCESS.
  Outcome<SandboxTransaction> pay(const std::string& mchid, const std::string& out_trade_no,
                                  std::int64_t now_ms);
  // Accepts a refund as PROCESSING; idempotent by out_refund_no (the same amount again answers the same
  // refund).
  Outcome<SandboxRefund> refund(const std::string& mchid, const std::string& out_trade_no,
                                const std::string& out_refund_no, std::int64_t amount_fen,
                                std::int64_t total_fen, const std::string& notify_url,
                                const std::string& reason, std::int64_t now_ms);
  // PROCESSING -> SUCCESS (the money went back) or ABNORMAL (it did not: the amount is refundable again).
  Outcome<SandboxTransaction> finish_refund(const std::string& mchid, const std::string& out_refund_no,
                                            bool abnormal, std::int64_t now_ms);
  // Finds a refund by out_refund_no among the merchant's transactions.
  std::optional<std::pair<SandboxTransaction, SandboxRefund>> find_refund(
      const std::string& mchid, const std::string& out_refund_no) const;

 private:
  static std::string key(const std::string& mchid, const std::string& out_trade_no);
  mutable std::mutex mutex_;
  std::map<std::string, SandboxTransaction> transactions_;
  std::map<std::string, std::string> trade_by_refund_;  // mchid + out_refund_no -> key
  std::uint64_t next_number_ = 1;
};

}  // namespace paygate::wechatpay
