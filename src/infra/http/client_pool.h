// Kept-alive connections to one endpoint, shared by the threads that call it: a caller takes an idle client
// (or a new one), and gives it back only after a complete exchange, so a broken connection is never reused.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "infra/http/http_client.h"

namespace paygate::http {

class ClientPool {
 public:
  ClientPool(Endpoint endpoint, ClientOptions options, std::size_t idle_max = 16)
      : endpoint_(std::move(endpoint)), options_(std::move(options)), idle_max_(idle_max) {}

  std::unique_ptr<Client> take();
  void give_back(std::unique_ptr<Client> client);
  const ClientOptions& options() const { return options_; }

 private:
  const Endpoint endpoint_;
  const ClientOptions options_;
  const std::size_t idle_max_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Client>> idle_;
};

}  // namespace paygate::http
