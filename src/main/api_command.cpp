// `paygate api METHOD PATH [BODY]`: sends one request signed with a merchant's credentials, so a user can
// try the API from the shell without writing signing code.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "app/merchant_signature.h"
#include "infra/http/http_client.h"
#include "main/commands.h"
#include "main/credentials.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {

int run_api(const CommonOptions& common, const ApiOptions& options) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  const std::string credentials_path = options.credentials_path.empty()
                                           ? config->store.data_dir + "/demo-merchant.json"
                                           : options.credentials_path;
  auto credentials = read_credentials(credentials_path);
  if (!credentials.ok()) return fail(credentials.error().message);
  auto endpoint = http::parse_endpoint(resolve_server_url(*config, options.server_url));
  if (!endpoint.ok()) return fail(endpoint.error().message);

  std::string body = options.body;
  if (body == "-") body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::string method = options.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  std::vector<std::pair<std::string, std::string>> headers = {
      {"authorization", sign_request_header(credentials->merchant_id, credentials->secret, method,
                                            options.target, body, SystemClock{}.now_unix_ms() / 1000)}};
  if (!options.idempotency_key.empty()) headers.emplace_back("idempotency-key", options.idempotency_key);

  http::Client client(*endpoint);
  auto response = client.send(method, options.target, headers, body);
  if (!response.ok()) return fail(response.error().message);
  std::fprintf(stderr, "HTTP %d\n", response->status);
  const auto json = nlohmann::json::parse(response->body, nullptr, false);
  std::printf("%s\n", json.is_discarded() ? response->body.c_str() : json.dump(2).c_str());
  return response->status >= 200 && response->status < 300 ? 0 : 2;
}

}  // namespace paygate::cli
