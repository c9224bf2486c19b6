#include "infra/channels/wechatpay/bill_file.h"

#include <charconv>

#include "core/money.h"
#include "core/time.h"
#include "fmt/format.h"

namespace paygate::wechatpay {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kHeader =
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
constexpr std::string_view kSummaryHeader =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
constexpr std::size_t kColumns = 27;
constexpr std::size_t kSummaryColumns = 7;

std::string yuan(std::int64_t fen) { return format_decimal(Money{fen, Currency::kCny}); }

// Cells are written with a leading backtick (so spreadsheets keep long numbers as text); commas inside a
// cell would break the format, so free text loses them.
std::string cell(std::string_view text) {
  std::string out = "`";
  for (char c : text) out.push_back(c == ',' || c == '\r' || c == '\n' ? ' ' : c);
  return out;
}

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(separator, start);
    out.push_back(
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

Error bad_line(std::size_t line_number, std::string_view why) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("bill line {}: {}", line_number, why));
}

void add_row(BillTotals& totals, const BillRow& row) {
  totals.trade_count += 1;
  totals.settlement_fen += row.settlement_fen;
  totals.refund_fen += row.refund_fen;
  totals.fee_fen += row.fee_fen;
  totals.order_fen += row.order_fen;
  totals.requested_refund_fen += row.requested_refund_fen;
}

}  // namespace

std::string write_trade_bill(const std::vector<BillRow>& rows) {
  std::string out(kBom);
  out += kHeader;
  out += "\r\n";
  BillTotals totals;
  for (const BillRow& row : rows) {
    const bool refund = row.trade_state == "REFUND";
    const std::string cells[kColumns] = {cell(format_beijing_time(row.at_ms)),
                                         cell(row.appid),
                                         cell(row.mchid),
                                         cell("0"),
                                         cell(""),
                                         cell(row.transaction_id),
                                         cell(row.out_trade_no),
                                         cell(row.openid),
                                         cell(row.trade_type),
                                         cell(row.trade_state),
                                         cell("OTHERS"),
                                         cell("CNY"),
                                         cell(yuan(row.settlement_fen)),
                                         cell("0.00"),
                                         cell(refund ? row.refund_id : "0"),
                                         cell(refund ? row.out_refund_no : "0"),
                                         cell(yuan(row.refund_fen)),
                                         cell("0.00"),
                                         cell(refund ? "ORIGINAL" : ""),
                                         cell(refund ? row.refund_status : ""),
                                         cell(row.description),
                                         cell(""),
                                         cell(yuan(row.fee_fen)),
                                         cell(row.rate),
                                         cell(yuan(row.order_fen)),
                                         cell(yuan(row.requested_refund_fen)),
                                         cell("")};
    for (std::size_t i = 0; i < kColumns; ++i) {
      if (i > 0) out += ',';
      out += cells[i];
    }
    out += "\r\n";
    add_row(totals, row);
  }
  out += kSummaryHeader;
  out += "\r\n";
  out += fmt::format("{},{},{},{},{},{},{}\r\n", cell(std::to_string(totals.trade_count)),
                     cell(yuan(totals.settlement_fen)), cell(yuan(totals.refund_fen)), cell("0.00"),
                     cell(yuan(totals.fee_fen)), cell(yuan(totals.order_fen)),
                     cell(yuan(totals.requested_refund_fen)));
  return out;
}

Result<TradeBill> parse_trade_bill(std::string_view text) {
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  std::vector<std::string_view> lines;
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty() || lines[0] != kHeader) return bad_line(1, "not the trade bill header");
  if (lines.size() < 3 || lines[lines.size() - 2] != kSummaryHeader)
    return bad_line(lines.size(), "the summary header is missing");
  TradeBill bill;
  auto amount = [](std::string_view value, std::size_t line_number,
                   std::string_view column) -> Result<std::int64_t> {
    auto money = parse_decimal(value, Currency::kCny, true);
    if (!money.ok()) return bad_line(line_number, fmt::format("{}: not an amount", column));
    return money->minor;
  };
  // Every cell starts with a backtick; strip it and insist on it.
  auto unquote = [](std::vector<std::string_view>& cells) {
    for (std::string_view& c : cells) {
      if (c.empty() || c.front() != '`') return false;
      c.remove_prefix(1);
    }
    return true;
  };
  for (std::size_t i = 1; i + 2 < lines.size(); ++i) {
    const std::size_t line_number = i + 1;
    auto cells = split(lines[i], ',');
    if (cells.size() != kColumns)
      return bad_line(line_number, fmt::format("{} columns, expected {}", cells.size(), kColumns));
    if (!unquote(cells)) return bad_line(line_number, "a cell lacks its leading backtick");
    BillRow row;
    auto at = parse_beijing_time(cells[0]);
    if (!at) return bad_line(line_number, "交易时间: not yyyy-MM-dd HH:mm:ss");
    row.at_ms = *at;
    row.appid = cells[1];
    row.mchid = cells[2];
    row.transaction_id = cells[5];
    row.out_trade_no = cells[6];
    row.openid = cells[7];
    row.trade_type = cells[8];
    row.trade_state = cells[9];
    if (row.trade_state != "SUCCESS" && row.trade_state != "REFUND")
      return bad_line(line_number, "交易状态: must be SUCCESS or REFUND");
    row.refund_id = cells[14];
    row.out_refund_no = cells[15];
    row.refund_status = cells[19];
    row.description = cells[20];
    row.rate = cells[23];
    const std::pair<std::size_t, std::int64_t*> amounts[] = {{12, &row.settlement_fen},
                                                             {16, &row.refund_fen},
                                                             {22, &row.fee_fen},
                                                             {24, &row.order_fen},
                                                             {25, &row.requested_refund_fen}};
    for (const auto& [column, target] : amounts) {
      auto value = amount(cells[column], line_number, split(kHeader, ',')[column]);
      if (!value.ok()) return std::move(value).error();
      *target = *value;
    }
    bill.rows.push_back(std::move(row));
  }
  const std::size_t totals_line = lines.size();
  auto cells = split(lines.back(), ',');
  if (cells.size() != kSummaryColumns || !unquote(cells)) return bad_line(totals_line, "not a totals row");
  std::int64_t* totals[] = {
      &bill.totals.settlement_fen, &bill.totals.refund_fen, nullptr,
      &bill.totals.fee_fen,        &bill.totals.order_fen,  &bill.totals.requested_refund_fen};
  const std::string_view count = cells[0];
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), bill.totals.trade_count);
  if (ec != std::errc() || end != count.data() + count.size())
    return bad_line(totals_line, "总交易单数: not a count");
  for (std::size_t i = 1; i < kSummaryColumns; ++i) {
    auto value = amount(cells[i], totals_line, split(kSummaryHeader, ',')[i]);
    if (!value.ok()) return std::move(value).error();
    if (totals[i - 1] != nullptr) *totals[i - 1] = *value;
  }
  BillTotals sums;
  for (const BillRow& row : bill.rows) add_row(sums, row);
  if (sums.trade_count != bill.totals.trade_count || sums.settlement_fen != bill.totals.settlement_fen ||
      sums.refund_fen != bill.totals.refund_fen || sums.fee_fen != bill.totals.fee_fen ||
      sums.order_fen != bill.totals.order_fen ||
      sums.requested_refund_fen != bill.totals.requested_refund_fen) {
    return bad_line(totals_line, "the totals do not equal the sums of the rows");
  }
  return bill;
}

}  // namespace paygate::wechatpay
