// Fuzzes the WeChat Pay trade bill reader: never crashes, and a bill it accepts has totals equal to its rows
// and writes back to a file that reads the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/wechatpay/bill_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::wechatpay;
  auto bill = parse_trade_bill(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!bill.ok()) return 0;
  if (bill->totals.trade_count != static_cast<std::int64_t>(bill->rows.size())) std::abort();
  auto again = parse_trade_bill(write_trade_bill(bill->rows));
  if (!again.ok() || again->rows.size() != bill->rows.size() ||
      again->totals.refund_fen != bill->totals.refund_fen)
    std::abort();
  return 0;
}
