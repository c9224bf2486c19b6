#include "infra/http/client_pool.h"

namespace paygate::http {

std::unique_ptr<Client> ClientPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  return std::make_unique<Client>(endpoint_, options_);
}

void ClientPool::give_back(std::unique_ptr<Client> client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < idle_max_) idle_.push_back(std::move(client));
}

}  // namespace paygate::http
