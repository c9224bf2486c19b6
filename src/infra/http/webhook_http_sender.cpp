#include "infra/http/webhook_http_sender.h"

#include <map>
#include <memory>

#include "infra/http/http_client.h"

namespace paygate::http {

Result<int> WebhookHttpSender::post(const std::string& url,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& body) {
  auto parsed = parse_http_url(url);
  if (!parsed.ok()) return std::move(parsed).error();
  // Per worker thread: the client of each destination, kept alive between deliveries.
  thread_local std::map<std::string, std::unique_ptr<Client>> clients;
  const std::string key = url.substr(0, url.size() - parsed->target.size());
  auto& client = clients[key];
  if (!client) client = std::make_unique<Client>(parsed->endpoint, timeout_ms_);
  auto response = client->send("POST", parsed->target, headers, body);
  if (!response.ok()) {
    clients.erase(key);  // a broken connection is not reused
    return std::move(response).error();
  }
  return response->status;
}

}  // namespace paygate::http
