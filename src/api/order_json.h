// Order DTOs: JSON bodies to use-case inputs (type checks, unknown fields rejected) and orders to JSON.
#pragma once

#include <string>
#include <string_view>

#include "app/orders.h"
#include "nlohmann/json_fwd.hpp"

namespace paygate::api {

Result<CreateOrderInput> parse_create_order(std::string_view body);
nlohmann::json order_to_json(const Order& order, std::string_view public_base_url);
// The same object as JSON text, written directly (no DOM): the create and read paths use it.
std::string order_json_text(const Order& order, std::string_view public_base_url);

}  // namespace paygate::api
