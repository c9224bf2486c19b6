// Which network addresses paygate may call on a merchant's behalf (webhooks, and any later callback a
// merchant supplies): never the operator's own networks — loopback, RFC 1918, CGNAT, link-local,
// unique-local, multicast, unspecified, reserved, and the IPv6 forms that embed any of those — unless
// configured for development. Pure rules; the resolver and the connection that enforce them are infra/http.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/result.h"

namespace paygate {

// Why the address is not a public unicast one ("loopback", "private", …), or nullopt when it is.
std::optional<std::string_view> special_range_of(const IpAddress& address);

struct DestinationPolicy {
  // Development only: loopback, private and link-local addresses are allowed (never unspecified,
  // multicast or broadcast, which no real endpoint has).
  bool allow_private_networks = false;
  // Allowed even though special, e.g. 127.0.0.1/32 for the sandbox, or one internal merchant network.
  std::vector<IpNetwork> allowed_networks;

  bool allows(const IpAddress& address) const;
};

struct DestinationUrl {
  bool tls = false;
  std::string host;  // lower case, without brackets or a trailing dot
  std::uint16_t port = 0;
  std::string target;  // path and query, "/" at least
};

// http(s) URLs only, parsed by uriparser: a host, no user info, no fragment, a port in 1..65535.
Result<DestinationUrl> parse_destination_url(std::string_view url);

// What can be known without resolving: a host that is an address literal in any form or "localhost"
// (and *.localhost) the policy refuses. The error is INVALID_PARAMETER naming field.
Status check_destination_literal(const DestinationUrl& url, const DestinationPolicy& policy,
                                 std::string_view field);

// The one word a refused delivery records: no status, no timing, nothing about the network behind it.
inline constexpr std::string_view kDestinationForbidden = "destination_forbidden";

}  // namespace paygate
