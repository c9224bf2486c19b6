// Fuzzes the response-substring extractor: no crash, and a found object is a brace-delimited substring of
// the input (the signature must cover bytes that were actually sent).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/alipay/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto split = paygate::alipay::split_signed_response(input, "alipay.trade.query");
  if (!split) return 0;
  const auto* begin = input.data();
  const auto* end = input.data() + input.size();
  if (split->content.data() < begin || split->content.data() + split->content.size() > end) std::abort();
  if (split->content.empty() || split->content.front() != '{' || split->content.back() != '}') std::abort();
  return 0;
}
