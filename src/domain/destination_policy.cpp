#include "domain/destination_policy.h"

#include <arpa/inet.h>
#include <uriparser/Uri.h>

#include <algorithm>
#include <cstring>

#include "fmt/format.h"

namespace paygate {
namespace {

struct Range {
  std::string_view cidr;
  std::string_view why;
};

// Special-purpose registries (IANA), the ranges no merchant endpoint lives in.
constexpr Range kSpecialV4[] = {
    {"0.0.0.0/8", "unspecified"},         {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared (CGNAT)"},  {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},     {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},         {"192.0.2.0/24", "documentation"},
    {"192.168.0.0/16", "private"},        {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"}, {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},         {"240.0.0.0/4", "reserved"},
};
constexpr Range kSpecialV6[] = {
    {"::/128", "unspecified"},          {"::1/128", "loopback"},      {"100::/64", "discard"},
    {"2001:db8::/32", "documentation"}, {"fc00::/7", "unique-local"}, {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local"},        {"ff00::/8", "multicast"},
};

// IPv6 forms that carry an IPv4 address a connection may end at: IPv4-compatible (::a.b.c.d), NAT64
// (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
std::optional<IpAddress> embedded_v4(const IpAddress& address) {
  if (!address.v6) return std::nullopt;
  const auto& b = address.bytes;
  auto v4_at = [&b](int offset) {
    return IpAddress::v4((std::uint32_t{b[offset]} << 24) | (std::uint32_t{b[offset + 1]} << 16) |
                         (std::uint32_t{b[offset + 2]} << 8) | b[offset + 3]);
  };
  const bool first_96_zero = std::all_of(b.begin(), b.begin() + 12, [](std::uint8_t x) { return x == 0; });
  if (first_96_zero) {
    const bool low_small = b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1;  // :: and ::1 are their own
    if (!low_small) return v4_at(12);
  }
  static constexpr std::uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), kNat64, 12) == 0) return v4_at(12);
  if (b[0] == 0x20 && b[1] == 0x02) return v4_at(2);
  return std::nullopt;
}

const std::vector<std::pair<IpNetwork, std::string_view>>& special_networks() {
  static const auto* networks = [] {
    auto* out = new std::vector<std::pair<IpNetwork, std::string_view>>();
    for (const Range& range : kSpecialV4) out->emplace_back(*IpNetwork::parse(range.cidr), range.why);
    for (const Range& range : kSpecialV6) out->emplace_back(*IpNetwork::parse(range.cidr), range.why);
    return out;
  }();
  return *networks;
}

bool is_localhost_name(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

std::string text_of(const UriTextRangeA& range) {
  if (range.first == nullptr || range.afterLast == nullptr) return {};
  return std::string(range.first, range.afterLast);
}

}  // namespace

std::optional<std::string_view> special_range_of(const IpAddress& address) {
  if (auto inner = embedded_v4(address)) {
    if (auto why = special_range_of(*inner)) return why;
  }
  for (const auto& [network, why] : special_networks()) {
    if (network.contains(address)) return why;
  }
  if (!address.v6 && address.bytes == IpAddress::v4(0xffffffff).bytes) return "broadcast";
  return std::nullopt;
}

bool DestinationPolicy::allows(const IpAddress& address) const {
  const IpAddress effective = embedded_v4(address).value_or(address);
  const auto why = special_range_of(effective);
  if (!why) return true;
  for (const IpNetwork& network : allowed_networks) {
    if (network.contains(effective) || network.contains(address)) return true;
  }
  if (!allow_private_networks) return false;
  return *why != "unspecified" && *why != "multicast" && *why != "broadcast";
}

Result<DestinationUrl> parse_destination_url(std::string_view url) {
  const std::string text(url);
  UriUriA uri;
  const char* error_at = nullptr;
  if (uriParseSingleUriA(&uri, text.c_str(), &error_at) != URI_SUCCESS) {
    return make_error(ErrorCode::kInvalidParameter, "is not a valid URL");
  }
  struct Free {
    UriUriA* uri;
    ~Free() { uriFreeUriMembersA(uri); }
  } free_uri{&uri};
  std::string scheme = text_of(uri.scheme);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https")
    return make_error(ErrorCode::kInvalidParameter, "must be an http:// or https:// URL");
  if (uri.userInfo.first != nullptr)
    return make_error(ErrorCode::kInvalidParameter, "must not carry user info (user@host)");
  if (uri.fragment.first != nullptr)
    return make_error(ErrorCode::kInvalidParameter, "must not have a fragment");
  DestinationUrl out;
  out.tls = scheme == "https";
  out.host = text_of(uri.hostText);
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (!out.host.empty() && out.host.back() == '.') out.host.pop_back();
  if (out.host.empty()) return make_error(ErrorCode::kInvalidParameter, "must name a host");
  const std::string port = text_of(uri.portText);
  if (port.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return make_error(ErrorCode::kInvalidParameter, "has a bad port");
    const int value = std::stoi(port);
    if (value < 1 || value > 65535) return make_error(ErrorCode::kInvalidParameter, "has a bad port");
    out.port = static_cast<std::uint16_t>(value);
  }
  // The target is everything after the authority, as sent.
  const char* path_start = uri.hostText.afterLast;
  if (uri.hostData.ip6 != nullptr || uri.hostData.ipFuture.first != nullptr) ++path_start;  // past ']'
  if (uri.portText.first != nullptr) path_start = uri.portText.afterLast;
  out.target = std::string(path_start, text.c_str() + text.size());
  if (out.target.empty() || out.target.front() != '/') out.target.insert(out.target.begin(), '/');
  return out;
}

Status check_destination_literal(const DestinationUrl& url, const DestinationPolicy& policy,
                                 std::string_view field) {
  std::optional<IpAddress> address = IpAddress::parse(url.host);
  if (!address && is_localhost_name(url.host)) address = IpAddress::v4(0x7f000001);
  if (!address || policy.allows(*address)) return {};
  return make_error(ErrorCode::kInvalidParameter,
                    fmt::format("{}: a {} address is not an allowed destination ({})", field,
                                special_range_of(*address).value_or("special"), kDestinationForbidden));
}

}  // namespace paygate
