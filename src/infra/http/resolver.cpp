#include "infra/http/resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "fmt/format.h"

namespace paygate::http {
namespace {

std::atomic<int> lookups_in_flight{0};

struct Lookup {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  int status = 0;
  std::vector<IpAddress> addresses;
};

std::vector<IpAddress> addresses_of(const addrinfo* list) {
  std::vector<IpAddress> out;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ai_addr);
      out.push_back(IpAddress::v4(ntohl(in->sin_addr.s_addr)));
    } else if (entry->ai_family == AF_INET6) {
      out.push_back(
          IpAddress::from_v6_bytes(reinterpret_cast<const sockaddr_in6*>(entry->ai_addr)->sin6_addr.s6_addr));
    }
  }
  return out;
}

void run_lookup(const std::string& host, Lookup& lookup) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  std::vector<IpAddress> addresses = status == 0 ? addresses_of(list) : std::vector<IpAddress>{};
  if (list != nullptr) ::freeaddrinfo(list);
  std::lock_guard lock(lookup.mutex);
  lookup.status = status;
  lookup.addresses = std::move(addresses);
  lookup.done = true;
  lookup.done_signal.notify_all();
}

}  // namespace

Result<std::vector<IpAddress>> resolve_host(const std::string& host, std::uint32_t timeout_ms) {
  if (auto literal = IpAddress::parse(host)) return std::vector<IpAddress>{*literal};
  if (lookups_in_flight.fetch_add(1) >= kLookupsInFlightMax) {
    lookups_in_flight.fetch_sub(1);
    return make_error(ErrorCode::kInternal, fmt::format("{}: too many host lookups in flight", host));
  }
  auto lookup = std::make_shared<Lookup>();
  // The thread owns a share of the lookup: when the caller gives up at its deadline, it finishes alone.
  std::thread([host, lookup] {
    run_lookup(host, *lookup);
    lookups_in_flight.fetch_sub(1);
  }).detach();
  std::unique_lock lock(lookup->mutex);
  if (!lookup->done_signal.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                    [&] { return lookup->done; })) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("{}: host lookup timed out after {} ms", host, timeout_ms));
  }
  if (lookup->status != 0) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("{}: host lookup failed: {}", host, ::gai_strerror(lookup->status)));
  }
  if (lookup->addresses.empty())
    return make_error(ErrorCode::kInternal, fmt::format("{}: no addresses", host));
  return std::move(lookup->addresses);
}

}  // namespace paygate::http
