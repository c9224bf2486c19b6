// Proves the outbound destination policy: every special range and every spelling of one (short and integer
// IPv4, hex, IPv4-mapped, -compatible, NAT64 and 6to4 IPv6, localhost) is refused; public addresses pass;
// development openings are exactly as wide as configured; URLs are parsed by uriparser, not by hand.
#include <gtest/gtest.h>

#include "app/input_checks.h"
#include "domain/destination_policy.h"

namespace paygate {
namespace {

bool allowed(const DestinationPolicy& policy, const char* text) {
  auto address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address && policy.allows(*address);
}

TEST(DestinationPolicy, RefusesEverySpecialRangeInEverySpelling) {
  const DestinationPolicy strict;
  for (const char* text : {"127.0.0.1",
                           "127.1",
                           "2130706433",
                           "0x7f000001",
                           "0177.0.0.1",
                           "10.0.0.5",
                           "172.16.3.4",
                           "192.168.1.1",
                           "100.64.0.1",
                           "169.254.169.254",
                           "0.0.0.0",
                           "0.1.2.3",
                           "224.0.0.1",
                           "255.255.255.255",
                           "240.0.0.1",
                           "::1",
                           "::",
                           "fe80::1",
                           "fc00::1",
                           "fd12:3456::1",
                           "ff02::1",
                           "::ffff:127.0.0.1",
                           "[::ffff:127.0.0.1]",
                           "::ffff:169.254.169.254",
                           "::127.0.0.1",
                           "64:ff9b::a00:5",
                           "2002:7f00:1::1",
                           "::ffff:10.0.0.5"}) {
    EXPECT_FALSE(allowed(strict, text)) << text;
  }
  for (const char* text : {"93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(allowed(strict, text)) << text;
  }
}

TEST(DestinationPolicy, DevelopmentOpeningsAreExactlyAsWideAsConfigured) {
  DestinationPolicy one_host{false, {*IpNetwork::parse("127.0.0.1/32")}};
  EXPECT_TRUE(allowed(one_host, "127.0.0.1"));
  EXPECT_TRUE(allowed(one_host, "::ffff:127.0.0.1")) << "the mapped form of an allowed address is allowed";
  EXPECT_FALSE(allowed(one_host, "127.0.0.2"));
  EXPECT_FALSE(allowed(one_host, "10.0.0.5"));
  DestinationPolicy development{true, {}};
  EXPECT_TRUE(allowed(development, "192.168.1.1"));
  EXPECT_TRUE(allowed(development, "::1"));
  EXPECT_FALSE(allowed(development, "0.0.0.0")) << "unspecified is never a destination";
  EXPECT_FALSE(allowed(development, "224.0.0.1")) << "multicast is never a destination";
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpNetwork::parse("example.com/8"));
}

TEST(DestinationPolicy, UrlsAreParsedWithTheirPortsTargetsAndHosts) {
  auto url = parse_destination_url("https://Example.COM.:8443/hooks/paygate?x=1");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/hooks/paygate?x=1");
  auto v6 = parse_destination_url("http://[::1]:9000/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/x");
  auto bare = parse_destination_url("http://example.com");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  for (const char* bad :
       {"ftp://example.com/", "http://user:pw@example.com/", "http://example.com/#frag", "http:///path",
        "http://example.com:0/", "http://example.com:99999/", "not a url"}) {
    EXPECT_FALSE(parse_destination_url(bad).ok()) << bad;
  }
}

TEST(DestinationPolicy, NotifyUrlsNamingAForbiddenLiteralAreRefusedByField) {
  const DestinationPolicy strict;
  for (const char* url :
       {"http://127.0.0.1:9/x", "http://127.1/", "http://2130706433/", "http://0x7f000001/",
        "http://[::ffff:127.0.0.1]/", "http://localhost:8080/", "http://LOCALHOST./", "http://api.localhost/",
        "http://10.0.0.5/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/"}) {
    auto status = check_notify_url(url, strict);
    ASSERT_FALSE(status.ok()) << url;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameter) << url;
    EXPECT_EQ(status.error().message.rfind("notify_url:", 0), 0u) << status.error().message;
  }
  EXPECT_TRUE(check_notify_url("https://merchant.example.com/paygate", strict).ok());
  EXPECT_TRUE(
      check_notify_url("http://127.0.0.1:9/x", DestinationPolicy{false, {*IpNetwork::parse("127.0.0.1")}})
          .ok());
}

}  // namespace
}  // namespace paygate
