#include "infra/channels/alipay/bill_file.h"

#include <iconv.h>
#include <zip.h>

#include <memory>
#include <sstream>

#include "fmt/format.h"
#include "infra/channels/alipay/codec.h"

namespace paygate::alipay {
namespace {

// The largest detail file read: about 1.5 million trades a day at ~350 bytes a line.
constexpr std::size_t kBillEntryBytesMax = 512u * 1024 * 1024;

constexpr const char* kDetailHeader =
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
    "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,"
    "券核销金额（元）,券名称,"
    "商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

Result<std::string> convert(const std::string& text, const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1))
    return make_error(ErrorCode::kInternal, "iconv: encoding unavailable");
  std::string out(text.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(text.data());
  std::size_t in_left = text.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    return make_error(ErrorCode::kInvalidParameter, fmt::format("bill: text not representable in {}", to));
  }
  out.resize(out.size() - out_left);
  return out;
}

// CSV cell: commas, quotes and newlines are quoted. ID-like cells end in a tab, as Alipay writes them, so
// spreadsheets keep long numbers as text.
std::string cell(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string detail_csv(const std::string& pid, const std::string& date, const std::vector<BillRow>& rows,
                       std::int64_t& trade_total, std::int64_t& refund_total, int& trades, int& refunds) {
  std::string csv = "#支付宝业务明细查询\n#账号：[" + pid + "]\n#起始日期：[" + date +
                    " 00:00:00]   终止日期：[" + date +
                    " 23:59:59]\n#-----------------------------------------业务明细列表----------------------"
                    "------------------\n";
  csv += kDetailHeader;
  csv += "\n";
  for (const BillRow& row : rows) {
    const std::string amount = fen_to_yuan(row.amount_fen);
    csv += fmt::format(
        "{}\t,{}\t,{},{},{},{},,,,,sandbox***@example.com,{},{},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,{},0.00,"
        "0.00,\n",
        row.trade_no, row.out_trade_no, row.refund ? "退款" : "交易", cell(row.subject),
        format_beijing_time(row.created_at_ms), format_beijing_time(row.finished_at_ms), amount, amount,
        row.refund ? row.out_request_no + "\t" : std::string());
    if (row.refund) {
      refund_total += row.amount_fen;
      ++refunds;
    } else {
      trade_total += row.amount_fen;
      ++trades;
    }
  }
  csv += "#-----------------------------------------业务明细列表结束------------------------------------\n";
  csv += fmt::format("#交易合计：{}笔，商家实收共{}元，商家优惠共0.00元\n", trades, fen_to_yuan(trade_total));
  csv += fmt::format("#退款合计：{}笔，商家实收退款共{}元，商家优惠退款共0.00元\n", refunds,
                     fen_to_yuan(refund_total));
  csv += "#导出时间：[" + date + " 23:59:59]\n";
  return csv;
}

struct ZipSourceDeleter {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};

}  // namespace

Result<std::string> utf8_to_gbk(const std::string& utf8) { return convert(utf8, "GBK", "UTF-8"); }
Result<std::string> gbk_to_utf8(const std::string& gbk) { return convert(gbk, "UTF-8", "GBK"); }

Result<BillFile> write_trade_bill(const std::string& pid, const std::string& date,
                                  const std::vector<BillRow>& rows) {
  if (date.size() != 10) return make_error(ErrorCode::kInvalidParameter, "bill_date: must be yyyy-MM-dd");
  const std::string compact = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
  std::int64_t trade_total = 0, refund_total = 0;
  int trades = 0, refunds = 0;
  const std::string detail = detail_csv(pid, date, rows, trade_total, refund_total, trades, refunds);
  const std::string summary = fmt::format(
      "#支付宝业务汇总查询\n#账号：[{}]\n#起始日期：[{} 00:00:00]   终止日期：[{} 23:59:59]\n"
      "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）\n,,{},{},{},{}\n"
      "#导出时间：[{} 23:59:59]\n",
      pid, date, date, trades, refunds, fen_to_yuan(trade_total + refund_total),
      fen_to_yuan(trade_total + refund_total), date);
  const std::string base = pid + "0156_" + compact;
  std::vector<std::pair<std::string, std::string>> entries;  // GBK name, GBK content
  for (const auto& [name, content] :
       {std::pair{base + "_业务明细.csv", detail}, std::pair{base + "_业务明细(汇总).csv", summary}}) {
    auto gbk_name = utf8_to_gbk(name);
    auto gbk_content = utf8_to_gbk(content);
    if (!gbk_name.ok()) return std::move(gbk_name).error();
    if (!gbk_content.ok()) return std::move(gbk_content).error();
    entries.emplace_back(std::move(gbk_name).value(), std::move(gbk_content).value());
  }

  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, ZipSourceDeleter> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) return make_error(ErrorCode::kInternal, "zip: cannot create a buffer");
  zip_t* archive = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (archive == nullptr) return make_error(ErrorCode::kInternal, "zip: cannot open the buffer");
  zip_source_keep(buffer.get());  // the archive releases its reference on close; we read the bytes after
  for (const auto& [name, content] : entries) {
    zip_source_t* data = zip_source_buffer(archive, content.data(), content.size(), 0);
    // ENC_RAW: the GBK bytes go into the entry name as they are, as Alipay's files have them.
    if (data == nullptr || zip_file_add(archive, name.c_str(), data, ZIP_FL_ENC_RAW) < 0) {
      zip_source_free(data);
      zip_discard(archive);
      return make_error(ErrorCode::kInternal, "zip: cannot add an entry");
    }
  }
  if (zip_close(archive) < 0) {
    zip_discard(archive);
    return make_error(ErrorCode::kInternal, "zip: cannot write the archive");
  }
  zip_stat_t stat;
  if (zip_source_stat(buffer.get(), &stat) < 0 || zip_source_open(buffer.get()) < 0) {
    return make_error(ErrorCode::kInternal, "zip: cannot read the archive back");
  }
  std::string bytes(stat.size, '\0');
  const zip_int64_t read = zip_source_read(buffer.get(), bytes.data(), stat.size);
  zip_source_close(buffer.get());
  if (read != static_cast<zip_int64_t>(stat.size)) return make_error(ErrorCode::kInternal, "zip: short read");
  return BillFile{base + ".csv.zip", std::move(bytes)};
}

Result<ParsedBill> read_trade_bill(const std::string& zip_bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  if (source == nullptr) return make_error(ErrorCode::kInvalidParameter, "bill: not a zip");
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    return make_error(ErrorCode::kInvalidParameter, "bill: not a zip");
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> closer(archive, &zip_discard);
  ParsedBill bill;
  std::string detail;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    const char* raw_name = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    auto name = gbk_to_utf8(raw_name == nullptr ? "" : raw_name);
    if (!name.ok()) return make_error(ErrorCode::kInvalidParameter, "bill: entry name is not GBK");
    bill.entry_names.push_back(*name);
    if (name->find("_业务明细.csv") == std::string::npos) continue;
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(
        zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0), &zip_fclose);
    if (!file) return make_error(ErrorCode::kInvalidParameter, "bill: unreadable entry");
    // Read as it inflates, never trusting the size the entry declares: a damaged or hostile archive that
    // claims gigabytes (found by the fuzzer) costs at most the cap.
    std::string content;
    char chunk[64 * 1024];
    for (zip_int64_t n; (n = zip_fread(file.get(), chunk, sizeof chunk)) != 0;) {
      if (n < 0) return make_error(ErrorCode::kInvalidParameter, "bill: damaged entry");
      if (content.size() + static_cast<std::size_t>(n) > kBillEntryBytesMax)
        return make_error(ErrorCode::kInvalidParameter, "bill: detail file is larger than 512 MiB");
      content.append(chunk, static_cast<std::size_t>(n));
    }
    auto utf8 = gbk_to_utf8(content);
    if (!utf8.ok()) return make_error(ErrorCode::kInvalidParameter, "bill: detail file is not GBK");
    detail = std::move(utf8).value();
  }
  if (detail.empty()) return make_error(ErrorCode::kInvalidParameter, "bill: no detail file");
  std::istringstream lines(detail);
  bool in_rows = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("#交易合计：", 0) == 0 || line.rfind("#退款合计：", 0) == 0) {
      const auto start = line.find("商家实收") + std::string("商家实收").size();
      const auto from = line.find("共", start) + std::string("共").size();
      const auto to = line.find("元", from);
      auto total = parse_decimal(line.substr(from, to - from), Currency::kCny, true);
      if (!total.ok()) return make_error(ErrorCode::kInvalidParameter, "bill: bad footer total");
      bill.total_fen += total->minor;
      continue;
    }
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> cells;
    std::string current;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.push_back(current);
        current.clear();
      } else {
        current.push_back(c);
      }
    }
    cells.push_back(current);
    if (!in_rows) {
      bill.header_columns = cells;
      in_rows = true;
      continue;
    }
    if (cells.size() != 25)
      return make_error(ErrorCode::kInvalidParameter, "bill: a row does not have 25 columns");
    auto strip_tab = [](std::string text) {
      if (!text.empty() && text.back() == '\t') text.pop_back();
      return text;
    };
    BillRow row;
    row.trade_no = strip_tab(cells[0]);
    row.out_trade_no = strip_tab(cells[1]);
    row.refund = cells[2] == "退款";
    row.subject = cells[3];
    row.created_at_ms = parse_beijing_time(cells[4]).value_or(0);
    row.finished_at_ms = parse_beijing_time(cells[5]).value_or(0);
    auto amount = parse_decimal(cells[11], Currency::kCny, true);
    if (!amount.ok()) return make_error(ErrorCode::kInvalidParameter, "bill: bad amount");
    row.amount_fen = amount->minor;
    row.out_request_no = strip_tab(cells[21]);
    bill.rows.push_back(std::move(row));
  }
  return bill;
}

}  // namespace paygate::alipay
