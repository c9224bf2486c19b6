// Fuzzes the WeChat Pay Authorization parser (what the sandbox reads from every request): never crashes, and
// whatever it accepts has all five fields and formats back to a header that parses to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/wechatpay/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::wechatpay;
  auto parsed = parse_authorization(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  if (parsed->mchid.empty() || parsed->nonce_str.empty() || parsed->signature.empty() ||
      parsed->timestamp.empty() || parsed->serial_no.empty())
    std::abort();
  auto again = parse_authorization(format_authorization(*parsed));
  if (!again.ok() || again->mchid != parsed->mchid || again->signature != parsed->signature ||
      again->serial_no != parsed->serial_no)
    std::abort();
  return 0;
}
