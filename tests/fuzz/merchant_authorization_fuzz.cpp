// Fuzzes the merchant Authorization header parser: no crash on any bytes, and whatever it accepts formats
// back to a header that parses to the same four fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/merchant_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  auto fields = paygate::parse_authorization(header);
  if (!fields) return 0;
  auto again = paygate::parse_authorization(paygate::format_authorization(*fields));
  if (!again || again->merchant_id != fields->merchant_id || again->timestamp != fields->timestamp ||
      again->nonce != fields->nonce || again->signature != fields->signature)
    std::abort();
  return 0;
}
