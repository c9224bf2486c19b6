// The web/ files (cashier page), embedded into the binary at build time.
#pragma once

#include <optional>
#include <string_view>

namespace paygate::api {

std::optional<std::string_view> web_asset(std::string_view name);

}  // namespace paygate::api
