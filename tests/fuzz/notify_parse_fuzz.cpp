// Fuzzes notify intake after the signature check: form decoding and field interpretation never crash, and an
// accepted notify always carries an exact, non-negative amount and the ids it needs.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/alipay/notify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto params = paygate::alipay::form_decode(input);
  if (!params.ok()) return 0;
  (*params)["app_id"] = params->count("app_id") ? (*params)["app_id"] : "9021000000000001";
  auto notify = paygate::alipay::notify_from_params(*params, "9021000000000001", 0);
  if (!notify.ok()) return 0;
  if (notify->amount_minor < 0 || notify->notify_id.empty() || notify->order_id.value.empty()) std::abort();
  return 0;
}
