// The response envelope every endpoint answers with: {"code","message","data","request_id"}.
#pragma once

#include <string_view>

#include "core/result.h"
#include "net/http_types.h"
#include "nlohmann/json_fwd.hpp"

namespace paygate::api {

http::Response ok_response(int status, const nlohmann::json& data, std::string_view request_id);
// The same envelope around data that is already JSON text (the hot paths build it without a DOM).
http::Response ok_response_text(int status, std::string_view data_json, std::string_view request_id);
// Status from the error catalogue; message names the field or cause.
http::Response error_response(const Error& error, std::string_view request_id);

}  // namespace paygate::api
