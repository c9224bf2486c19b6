#include "api/envelope.h"

#include "nlohmann/json.hpp"

namespace paygate::api {

http::Response ok_response(int status, const nlohmann::json& data, std::string_view request_id) {
  http::Response response;
  response.status = status;
  nlohmann::json body = {{"code", "OK"}, {"message", "ok"}, {"data", data}, {"request_id", request_id}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response error_response(const Error& error, std::string_view request_id) {
  const ErrorInfo& info = error_info(error.code);
  http::Response response;
  response.status = info.http_status;
  nlohmann::json body = {
      {"code", info.code}, {"message", error.message}, {"data", nullptr}, {"request_id", request_id}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (info.error_class == ErrorClass::kRetryLater) response.headers.emplace_back("retry-after", "1");
  return response;
}

}  // namespace paygate::api
