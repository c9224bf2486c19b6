#include "sandbox/alipay/trade_book.h"

#include "core/time.h"
#include "fmt/format.h"

namespace paygate::alipay {
namespace {

TradeRefusal not_exist() { return {"ACQ.TRADE_NOT_EXIST", "交易不存在"}; }

}  // namespace

std::string_view to_string(TradeStatus status) {
  switch (status) {
    case TradeStatus::kWaitBuyerPay:
      return "WAIT_BUYER_PAY";
    case TradeStatus::kSuccess:
      return "TRADE_SUCCESS";
    case TradeStatus::kClosed:
      return "TRADE_CLOSED";
    case TradeStatus::kFinished:
      return "TRADE_FINISHED";
  }
  return "WAIT_BUYER_PAY";
}

std::string TradeBook::key(const std::string& app_id, const std::string& out_trade_no) {
  return app_id + '\n' + out_trade_no;
}

TradeOutcome<SandboxTrade> TradeBook::precreate(const std::string& app_id, const std::string& out_trade_no,
                                                std::int64_t total_fen, const std::string& subject,
                                                const std::string& notify_url, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = trades_.find(key(app_id, out_trade_no));
  if (it != trades_.end()) {
    SandboxTrade& trade = it->second;
    if (trade.status == TradeStatus::kSuccess || trade.status == TradeStatus::kFinished) {
      return {std::nullopt, TradeRefusal{"ACQ.TRADE_HAS_SUCCESS", "交易已被支付"}};
    }
    if (trade.status == TradeStatus::kClosed)
      return {std::nullopt, TradeRefusal{"ACQ.TRADE_HAS_CLOSE", "交易已经关闭"}};
    if (trade.total_fen != total_fen) {
      return {std::nullopt, TradeRefusal{"ACQ.INVALID_PARAMETER", "total_amount 与已有交易不一致"}};
    }
    return {trade, std::nullopt};
  }
  SandboxTrade trade;
  trade.app_id = app_id;
  trade.out_trade_no = out_trade_no;
  trade.trade_no = format_compact_utc_ms(now_ms).substr(0, 8) + fmt::format("{:022}", next_trade_number_++);
  trade.subject = subject;
  trade.notify_url = notify_url;
  trade.total_fen = total_fen;
  trade.created_at_ms = now_ms;
  trades_.emplace(key(app_id, out_trade_no), trade);
  out_trade_no_by_trade_no_.emplace(key(app_id, trade.trade_no), out_trade_no);
  return {trade, std::nullopt};
}

std::optional<SandboxTrade> TradeBook::find(const std::string& app_id,
                                            const std::string& out_trade_no) const {
  std::lock_guard lock(mutex_);
  auto it = trades_.find(key(app_id, out_trade_no));
  if (it == trades_.end()) return std::nullopt;
  return it->second;
}

std::vector<SandboxTrade> TradeBook::trades_of(const std::string& app_id) const {
  std::lock_guard lock(mutex_);
  std::vector<SandboxTrade> out;
  for (const auto& [key, trade] : trades_) {
    if (trade.app_id == app_id) out.push_back(trade);
  }
  return out;
}

std::optional<std::string> TradeBook::out_trade_no_of(const std::string& app_id,
                                                      const std::string& trade_no) const {
  std::lock_guard lock(mutex_);
  auto it = out_trade_no_by_trade_no_.find(key(app_id, trade_no));
  if (it == out_trade_no_by_trade_no_.end()) return std::nullopt;
  return it->second;
}

TradeOutcome<SandboxTrade> TradeBook::close(const std::string& app_id, const std::string& out_trade_no) {
  std::lock_guard lock(mutex_);
  auto it = trades_.find(key(app_id, out_trade_no));
  if (it == trades_.end()) return {std::nullopt, not_exist()};
  SandboxTrade& trade = it->second;
  if (trade.status == TradeStatus::kWaitBuyerPay) trade.status = TradeStatus::kClosed;
  if (trade.status != TradeStatus::kClosed) {
    return {std::nullopt, TradeRefusal{"ACQ.TRADE_STATUS_ERROR", "交易状态不合法"}};
  }
  return {trade, std::nullopt};
}

TradeOutcome<SandboxTrade> TradeBook::pay(const std::string& app_id, const std::string& out_trade_no,
                                          std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = trades_.find(key(app_id, out_trade_no));
  if (it == trades_.end()) return {std::nullopt, not_exist()};
  SandboxTrade& trade = it->second;
  if (trade.status == TradeStatus::kClosed)
    return {std::nullopt, TradeRefusal{"ACQ.TRADE_HAS_CLOSE", "交易已经关闭"}};
  if (trade.status != TradeStatus::kWaitBuyerPay) return {trade, std::nullopt, false};
  trade.status = TradeStatus::kSuccess;
  trade.paid_at_ms = now_ms;
  trade.buyer_logon_id = "sandbox***@example.com";
  return {trade, std::nullopt, true};
}

TradeOutcome<SandboxTrade> TradeBook::refund(const std::string& app_id, const std::string& out_trade_no,
                                             const std::string& out_request_no, std::int64_t amount_fen,
                                             std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = trades_.find(key(app_id, out_trade_no));
  if (it == trades_.end()) return {std::nullopt, not_exist()};
  SandboxTrade& trade = it->second;
  if (auto existing = trade.refunds.find(out_request_no); existing != trade.refunds.end()) {
    if (existing->second.amount_fen != amount_fen) {
      return {std::nullopt, TradeRefusal{"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与原退款请求不一致"}};
    }
    return {trade, std::nullopt};
  }
  if (trade.status != TradeStatus::kSuccess) {
    return {std::nullopt, TradeRefusal{"ACQ.TRADE_STATUS_ERROR", "交易状态不允许退款"}};
  }
  if (amount_fen <= 0 || trade.refunded_fen + amount_fen > trade.total_fen) {
    return {std::nullopt, TradeRefusal{"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限"}};
  }
  trade.refunded_fen += amount_fen;
  trade.refunds.emplace(out_request_no, SandboxRefund{out_request_no, amount_fen, now_ms});
  return {trade, std::nullopt};
}

}  // namespace paygate::alipay
