// The Alipay sandbox's record of trades and refunds: what Alipay itself would know about each out_trade_no.
// Thread-safe; every method is one atomic step of the simulated Alipay.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paygate::alipay {

enum class TradeStatus { kWaitBuyerPay, kSuccess, kClosed, kFinished };
std::string_view to_string(TradeStatus status);  // WAIT_BUYER_PAY, TRADE_SUCCESS, ...

struct SandboxRefund {
  std::string out_request_no;
  std::int64_t amount_fen = 0;
  std::int64_t refunded_at_ms = 0;
};

struct SandboxTrade {
  std::string app_id;
  std::string out_trade_no;
  std::string trade_no;  // Alipay's own number: "yyyyMMdd" + 22 digits
  std::string subject;
  std::string notify_url;
  std::int64_t total_fen = 0;
  std::int64_t refunded_fen = 0;
  TradeStatus status = TradeStatus::kWaitBuyerPay;
  std::int64_t created_at_ms = 0;
  std::int64_t paid_at_ms = 0;
  std::string buyer_logon_id;
  std::map<std::string, SandboxRefund> refunds;  // by out_request_no
};

// The Alipay sub_code a refused operation answers with (ACQ.TRADE_NOT_EXIST, ...), and its sub_msg.
struct TradeRefusal {
  std::string sub_code;
  std::string sub_msg;
};

template <class T>
struct TradeOutcome {
  std::optional<T> value;
  std::optional<TradeRefusal> refusal;
  bool changed = false;  // the operation moved the trade (a repeat of a done operation leaves it false)
};

class TradeBook {
 public:
  // Creates the trade, or returns it again when the same app asks with the same amount (Alipay treats a
  // repeated precreate as idempotent); a paid or closed trade refuses.
  TradeOutcome<SandboxTrade> precreate(const std::string& app_id, const std::string& out_trade_no,
                                       std::int64_t total_fen, const std::string& subject,
                                       const std::string& notify_url, std::int64_t now_ms);
  std::optional<SandboxTrade> find(const std::string& app_id, const std::string& out_trade_no) const;
  std::vector<SandboxTrade> trades_of(const std::string& app_id) const;
  std::optional<std::string> out_trade_no_of(const std::string& app_id, const std::string& trade_no) const;
  TradeOutcome<SandboxTrade> close(const std::string& app_id, const std::string& out_trade_no);
  // The payer pays: WAIT_BUYER_PAY -> TRADE_SUCCESS.
  TradeOutcome<SandboxTrade> pay(const std::string& app_id, const std::string& out_trade_no,
                                 std::int64_t now_ms);
  // Idempotent by out_request_no: the same request again answers the same refund.
  TradeOutcome<SandboxTrade> refund(const std::string& app_id, const std::string& out_trade_no,
                                    const std::string& out_request_no, std::int64_t amount_fen,
                                    std::int64_t now_ms);

 private:
  static std::string key(const std::string& app_id, const std::string& out_trade_no);
  mutable std::mutex mutex_;
  std::map<std::string, SandboxTrade> trades_;
  std::map<std::string, std::string> out_trade_no_by_trade_no_;
  std::uint64_t next_trade_number_ = 1;
};

}  // namespace paygate::alipay
