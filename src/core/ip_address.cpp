#include "core/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace paygate {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  in_addr v4{};
  // inet_aton takes what getaddrinfo takes for a numeric host: 127.1, 2130706433, 0x7f000001, 0177.0.0.1.
  if (copy.find(':') == std::string::npos && ::inet_aton(copy.c_str(), &v4) == 1) {
    return IpAddress::v4(ntohl(v4.s_addr));
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) return from_v6_bytes(v6.s6_addr);
  return std::nullopt;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress address;
  address.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  address.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  address.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  address.bytes[3] = static_cast<std::uint8_t>(host_order);
  return address;
}

IpAddress IpAddress::from_v6_bytes(const std::uint8_t* sixteen) {
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(sixteen, kMappedPrefix, 12) == 0) {
    return v4((std::uint32_t{sixteen[12]} << 24) | (std::uint32_t{sixteen[13]} << 16) |
              (std::uint32_t{sixteen[14]} << 8) | sixteen[15]);
  }
  IpAddress address;
  address.v6 = true;
  std::memcpy(address.bytes.data(), sixteen, 16);
  return address;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view cidr) {
  const auto slash = cidr.find('/');
  auto base = IpAddress::parse(cidr.substr(0, slash));
  if (!base) return std::nullopt;
  const int width = base->v6 ? 128 : 32;
  int prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = cidr.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > width) return std::nullopt;
  }
  return IpNetwork{*base, prefix};
}

bool IpNetwork::contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  int bits = prefix_bits;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

}  // namespace paygate
