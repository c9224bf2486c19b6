// WeChat Pay's trade bill (bill_type ALL) in its real format: UTF-8 with BOM, CRLF, a header row of Chinese
// column names, every data cell prefixed with a backtick, then a summary header and one row of totals.
// Written by the sandbox, read by reconciliation; the reader checks the totals against the rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace paygate::wechatpay {

struct BillRow {
  std::int64_t at_ms = 0;  // 交易时间 (Beijing time in the file)
  std::string appid;
  std::string mchid;
  std::string transaction_id;
  std::string out_trade_no;
  std::string openid;
  std::string trade_type = "NATIVE";
  std::string trade_state;          // SUCCESS for a payment row, REFUND for a refund row
  std::int64_t settlement_fen = 0;  // 应结订单金额: the payment (0 on refund rows)
  std::string refund_id;            // WeChat's, refund rows only
  std::string out_refund_no;
  std::int64_t refund_fen = 0;
  std::string refund_status;  // SUCCESS on refund rows
  std::string description;
  std::int64_t fee_fen = 0;  // 手续费 (negative on refund rows: the fee given back)
  std::string rate = "0.60%";
  std::int64_t order_fen = 0;             // 订单金额
  std::int64_t requested_refund_fen = 0;  // 申请退款金额
};

struct BillTotals {
  std::int64_t trade_count = 0;
  std::int64_t settlement_fen = 0;
  std::int64_t refund_fen = 0;
  std::int64_t fee_fen = 0;
  std::int64_t order_fen = 0;
  std::int64_t requested_refund_fen = 0;
};

std::string write_trade_bill(const std::vector<BillRow>& rows);

struct TradeBill {
  std::vector<BillRow> rows;
  BillTotals totals;
};
// Errors name the line and the column; totals that disagree with the rows are an error too.
Result<TradeBill> parse_trade_bill(std::string_view text);

}  // namespace paygate::wechatpay
