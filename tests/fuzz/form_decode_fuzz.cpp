// Fuzzes the form decoder (every notify and gateway.do body passes through it): no crash, and whatever it
// accepts survives an encode/decode round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/alipay/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto params = paygate::alipay::form_decode(input);
  if (!params.ok()) return 0;
  auto again = paygate::alipay::form_decode(paygate::alipay::form_encode(*params));
  if (!again.ok() || *again != *params) std::abort();
  return 0;
}
