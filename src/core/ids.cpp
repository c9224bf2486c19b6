#include "core/ids.h"

#include <algorithm>

namespace paygate {
namespace {

bool is_alphanumeric(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

}  // namespace

bool is_refund_id_syntax(std::string_view text) {
  return !text.empty() && text.front() == 'R' && is_order_id_syntax(text.substr(1));
}

bool is_order_id_syntax(std::string_view text) {
  return (text.size() == kOrderIdLength || text.size() == kLegacyOrderIdLength) && is_alphanumeric(text);
}

}  // namespace paygate
