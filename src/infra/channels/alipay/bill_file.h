// Alipay's daily trade bill (对账单) in its real format: a zip holding "<pid>0156_<yyyyMMdd>_业务明细.csv"
// and
// "..._业务明细(汇总).csv", GBK-encoded (entry names too), with "#" header and footer lines and 25 columns.
// The sandbox writes it; reconciliation reads it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace paygate::alipay {

struct BillRow {
  std::string trade_no;
  std::string out_trade_no;
  bool refund = false;  // 业务类型 退款 (amounts negative) rather than 交易
  std::string subject;
  std::int64_t created_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::int64_t amount_fen = 0;  // negative for refunds
  std::string out_request_no;   // refunds: the refund's request number
};

struct BillFile {
  std::string zip_name;  // "<pid>0156_<yyyyMMdd>.csv.zip"
  std::string zip_bytes;
};

// date: "yyyy-MM-dd" (Beijing). pid: the merchant's 2088... partner id.
Result<BillFile> write_trade_bill(const std::string& pid, const std::string& date,
                                  const std::vector<BillRow>& rows);

// Reads the detail CSV back out of a bill zip (for reconciliation and tests): rows and the footer's totals.
struct ParsedBill {
  std::vector<std::string> entry_names;  // UTF-8
  std::vector<std::string> header_columns;
  std::vector<BillRow> rows;
  std::int64_t total_fen = 0;  // from the "#交易合计" / "#退款合计" footer lines
};
Result<ParsedBill> read_trade_bill(const std::string& zip_bytes);

// GBK <-> UTF-8 (glibc iconv).
Result<std::string> utf8_to_gbk(const std::string& utf8);
Result<std::string> gbk_to_utf8(const std::string& gbk);

}  // namespace paygate::alipay
