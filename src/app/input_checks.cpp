#include "app/input_checks.h"

#include "core/text.h"
#include "fmt/format.h"

namespace paygate {

Error invalid_field(std::string_view field, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", field, problem));
}

Status check_notify_url(std::string_view url) {
  constexpr std::size_t kUrlBytesMax = 512;
  if (url.size() > kUrlBytesMax) return invalid_field("notify_url", "must be at most 512 bytes");
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return invalid_field("notify_url", "must be an http:// or https:// URL");
  }
  const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':' || host.find('@') != std::string_view::npos) {
    return invalid_field("notify_url", "must name a host");
  }
  if (has_control_characters(url) || url.find(' ') != std::string_view::npos) {
    return invalid_field("notify_url", "must not contain spaces or control characters");
  }
  return {};
}

}  // namespace paygate
