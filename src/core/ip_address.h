// IP addresses and networks as values: parsed from every spelling a resolver accepts, compared bytewise.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paygate {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is normalised to IPv4 by parse().
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4

  // Dotted quads and every form inet_aton accepts (127.1, 2130706433, 0x7f000001, 0177.0.0.1), and IPv6
  // with or without brackets.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint32_t host_order);
  static IpAddress from_v6_bytes(const std::uint8_t* sixteen);
  std::string to_string() const;
};

struct IpNetwork {
  IpAddress base;
  int prefix_bits = 0;
  static std::optional<IpNetwork> parse(std::string_view cidr);  // "127.0.0.1/32", "fd00::/8", or one address
  bool contains(const IpAddress& address) const;
};

}  // namespace paygate
