// Host name lookups with a deadline. getaddrinfo has none of its own (a dead resolver holds a caller for
// resolv.conf's timeouts × attempts × servers), so a lookup runs on a helper thread the caller stops waiting
// for at its deadline; at most kLookupsInFlightMax such threads exist at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/destination_policy.h"

namespace paygate::http {

inline constexpr int kLookupsInFlightMax = 64;

// Every address host resolves to (an address literal in any inet_aton or IPv6 form resolves to itself at
// once). Errors: INTERNAL naming the host, on failure or when timeout_ms passes first.
Result<std::vector<IpAddress>> resolve_host(const std::string& host, std::uint32_t timeout_ms);

}  // namespace paygate::http
