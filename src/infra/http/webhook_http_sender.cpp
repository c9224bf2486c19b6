#include "infra/http/webhook_http_sender.h"

#include <map>
#include <memory>

#include "fmt/format.h"
#include "infra/http/http_client.h"

namespace paygate::http {

Result<int> WebhookHttpSender::post(const std::string& url,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& body) {
  auto parsed = parse_http_url(url);
  if (!parsed.ok()) return make_error(ErrorCode::kInvalidParameter, "notify_url: " + parsed.error().message);
  // Per worker thread: the client of each destination, kept alive between deliveries. The key names this
  // sender too: a client checks addresses with the policy of the sender that made it.
  thread_local std::map<std::string, std::unique_ptr<Client>> clients;
  const Endpoint& endpoint = parsed->endpoint;
  const std::string key = fmt::format("{}|{}://{}:{}", static_cast<const void*>(this),
                                      endpoint.tls ? "https" : "http", endpoint.host, endpoint.port);
  auto& client = clients[key];
  if (!client) {
    ClientOptions options{
        timeout_ms_, {}, [this](const IpAddress& address) { return destinations_.allows(address); }};
    client = std::make_unique<Client>(endpoint, std::move(options));
  }
  auto response = client->send("POST", parsed->target, headers, body);
  if (!response.ok()) {
    clients.erase(key);  // a broken connection is not reused
    return std::move(response).error();
  }
  return response->status;
}

}  // namespace paygate::http
