#include "sandbox/wechatpay/trade_book.h"

#include "core/time.h"
#include "crypto/random.h"
#include "fmt/format.h"

namespace paygate::wechatpay {

std::string TradeBook::key(const std::string& mchid, const std::string& out_trade_no) {
  return mchid + '\x1f' + out_trade_no;
}

Outcome<SandboxTransaction> TradeBook::prepay(const NewTransaction& request, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = transactions_.try_emplace(key(request.mchid, request.out_trade_no));
  SandboxTransaction& t = it->second;
  if (!inserted) {
    if (t.trade_state == "SUCCESS" || t.trade_state == "REFUND")
      return {std::nullopt, Refusal{400, "ORDERPAID", "该订单已支付"}};
    if (t.trade_state == "CLOSED") return {std::nullopt, Refusal{400, "ORDER_CLOSED", "该订单已关闭"}};
    if (t.total_fen != request.total_fen || t.trade_type != request.trade_type || t.appid != request.appid ||
        t.description != request.description || t.openid != request.openid) {
      return {std::nullopt, Refusal{400, "INVALID_REQUEST", "201 商户订单号重复，且参数与首次请求不一致"}};
    }
    return {t, std::nullopt, false};
  }
  t.mchid = request.mchid;
  t.appid = request.appid;
  t.out_trade_no = request.out_trade_no;
  t.trade_type = request.trade_type;
  t.description = request.description;
  t.notify_url = request.notify_url;
  t.openid = request.openid;
  t.total_fen = request.total_fen;
  t.created_at_ms = now_ms;
  if (t.trade_type == "NATIVE") {
    t.code_url = "weixin://wxpay/bizpayurl?pr=" + crypto::random_base62(10);
  } else {
    t.prepay_id = fmt::format("wx{}{:010}", format_compact_utc_ms(now_ms).substr(0, 14), next_number_++);
  }
  return {t, std::nullopt, true};
}

std::optional<SandboxTransaction> TradeBook::find(const std::string& mchid,
                                                  const std::string& out_trade_no) const {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(key(mchid, out_trade_no));
  if (it == transactions_.end()) return std::nullopt;
  return it->second;
}

std::vector<SandboxTransaction> TradeBook::transactions_of(const std::string& mchid) const {
  std::lock_guard lock(mutex_);
  std::vector<SandboxTransaction> out;
  for (const auto& [k, t] : transactions_) {
    if (t.mchid == mchid) out.push_back(t);
  }
  return out;
}

Outcome<SandboxTransaction> TradeBook::close(const std::string& mchid, const std::string& out_trade_no) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(key(mchid, out_trade_no));
  if (it == transactions_.end()) return {std::nullopt, Refusal{404, "ORDER_NOT_EXIST", "订单不存在"}};
  SandboxTransaction& t = it->second;
  if (t.trade_state == "SUCCESS" || t.trade_state == "REFUND")
    return {std::nullopt, Refusal{400, "ORDERPAID", "该订单已支付"}};
  const bool changed = t.trade_state != "CLOSED";
  t.trade_state = "CLOSED";
  return {t, std::nullopt, changed};
}

Outcome<SandboxTransaction> TradeBook::pay(const std::string& mchid, const std::string& out_trade_no,
                                           std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(key(mchid, out_trade_no));
  if (it == transactions_.end()) return {std::nullopt, Refusal{404, "ORDER_NOT_EXIST", "订单不存在"}};
  SandboxTransaction& t = it->second;
  if (t.trade_state == "CLOSED") return {std::nullopt, Refusal{409, "ORDER_CLOSED", "该订单已关闭"}};
  if (t.trade_state != "NOTPAY") return {t, std::nullopt, false};
  t.trade_state = "SUCCESS";
  t.paid_at_ms = now_ms;
  t.transaction_id = fmt::format("4200{}{:010}", format_compact_utc_ms(now_ms).substr(0, 14), next_number_++);
  if (t.openid.empty()) t.openid = "oSandboxPayer" + crypto::random_base62(15);
  return {t, std::nullopt, true};
}

Outcome<SandboxRefund> TradeBook::refund(const std::string& mchid, const std::string& out_trade_no,
                                         const std::string& out_refund_no, std::int64_t amount_fen,
                                         std::int64_t total_fen, const std::string& notify_url,
                                         const std::string& reason, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(key(mchid, out_trade_no));
  if (it == transactions_.end()) return {std::nullopt, Refusal{404, "RESOURCE_NOT_EXISTS", "订单不存在"}};
  SandboxTransaction& t = it->second;
  if (auto existing = t.refunds.find(out_refund_no); existing != t.refunds.end()) {
    if (existing->second.amount_fen != amount_fen)
      return {std::nullopt, Refusal{400, "INVALID_REQUEST", "同一退款单号的退款金额不一致"}};
    return {existing->second, std::nullopt, false};
  }
  if (auto other = trade_by_refund_.find(mchid + '\x1f' + out_refund_no); other != trade_by_refund_.end())
    return {std::nullopt, Refusal{400, "INVALID_REQUEST", "退款单号已用于其他订单"}};
  if (t.trade_state != "SUCCESS" && t.trade_state != "REFUND")
    return {std::nullopt, Refusal{400, "INVALID_REQUEST", "订单未支付，不能退款"}};
  if (total_fen != t.total_fen)
    return {std::nullopt, Refusal{400, "INVALID_REQUEST", "订单金额与原订单不一致"}};
  if (amount_fen < 1 || amount_fen > t.total_fen - t.refunded_fen)
    return {std::nullopt, Refusal{400, "INVALID_REQUEST", "申请退款金额超过订单可退金额"}};
  SandboxRefund refund;
  refund.out_refund_no = out_refund_no;
  refund.refund_id = fmt::format("50{}{:016}", format_compact_utc_ms(now_ms).substr(0, 14), next_number_++);
  refund.amount_fen = amount_fen;
  refund.notify_url = notify_url;
  refund.reason = reason;
  refund.created_at_ms = now_ms;
  t.refunded_fen += amount_fen;
  t.refunds.emplace(out_refund_no, refund);
  trade_by_refund_.emplace(mchid + '\x1f' + out_refund_no, key(mchid, out_trade_no));
  return {refund, std::nullopt, true};
}

Outcome<SandboxTransaction> TradeBook::finish_refund(const std::string& mchid,
                                                     const std::string& out_refund_no, bool abnormal,
                                                     std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto link = trade_by_refund_.find(mchid + '\x1f' + out_refund_no);
  if (link == trade_by_refund_.end())
    return {std::nullopt, Refusal{404, "RESOURCE_NOT_EXISTS", "退款单不存在"}};
  SandboxTransaction& t = transactions_.at(link->second);
  SandboxRefund& refund = t.refunds.at(out_refund_no);
  if (refund.status != "PROCESSING") return {t, std::nullopt, false};
  if (abnormal) {
    refund.status = "ABNORMAL";
    t.refunded_fen -= refund.amount_fen;
    return {t, std::nullopt, true};
  }
  refund.status = "SUCCESS";
  refund.succeeded_at_ms = now_ms;
  t.trade_state = "REFUND";
  return {t, std::nullopt, true};
}

std::optional<std::pair<SandboxTransaction, SandboxRefund>> TradeBook::find_refund(
    const std::string& mchid, const std::string& out_refund_no) const {
  std::lock_guard lock(mutex_);
  auto link = trade_by_refund_.find(mchid + '\x1f' + out_refund_no);
  if (link == trade_by_refund_.end()) return std::nullopt;
  const SandboxTransaction& t = transactions_.at(link->second);
  return std::make_pair(t, t.refunds.at(out_refund_no));
}

}  // namespace paygate::wechatpay
