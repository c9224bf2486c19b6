#include "api/envelope.h"

#include "core/log.h"
#include "nlohmann/json.hpp"

namespace paygate::api {

http::Response ok_response(int status, const nlohmann::json& data, std::string_view request_id) {
  http::Response response;
  response.status = status;
  nlohmann::json body = {{"code", "OK"}, {"message", "ok"}, {"data", data}, {"request_id", request_id}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response ok_response_text(int status, std::string_view data_json, std::string_view request_id) {
  http::Response response;
  response.status = status;
  std::string& body = response.body;
  body.reserve(data_json.size() + request_id.size() + 64);
  body += R"({"code":"OK","message":"ok","data":)";
  body += data_json;
  body += R"(,"request_id":)";
  log::append_json_string(body, request_id);
  body += '}';
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
