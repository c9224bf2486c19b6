#include "app/input_checks.h"

#include "core/text.h"
#include "fmt/format.h"

namespace paygate {

Error invalid_field(std::string_view field, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", field, problem));
}

Status check_notify_url(std::string_view url, const DestinationPolicy& destinations) {
  constexpr std::size_t kUrlBytesMax = 512;
  if (url.size() > kUrlBytesMax) return invalid_field("notify_url", "must be at most 512 bytes");
  if (has_control_characters(url) || url.find(' ') != std::string_view::npos) {
    return invalid_field("notify_url", "must not contain spaces or control characters");
  }
  auto parsed = parse_destination_url(url);
  if (!parsed.ok()) return invalid_field("notify_url", parsed.error().message);
  return check_destination_literal(*parsed, destinations, "notify_url");
}

}  // namespace paygate
