// Fuzzes the Alipay bill reader (a ZIP of GBK CSVs from the channel, or from whoever pretends to be it): no
// crash, leak or sanitizer report on any bytes (the seed is a real bill the sandbox writes).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "infra/channels/alipay/bill_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string zip_bytes(reinterpret_cast<const char*>(data), size);
  auto bill = paygate::alipay::read_trade_bill(zip_bytes);
  (void)bill;
  return 0;
}
