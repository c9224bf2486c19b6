// Proves the outbound destination guard against a merchant trying to reach the operator's network through
// webhooks: every literal spelling of a forbidden address is refused at create (400 naming notify_url), a
// host name that resolves to loopback is refused at delivery with nothing but "destination_forbidden" (no
// status, no detail) and its listener never sees a connection, also on resend; redirects are never followed;
// and a host lookup that hangs fails at the client's deadline.
#include <dlfcn.h>
#include <netdb.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string_view>

#include "domain/destination_policy.h"
#include "tests/security/security_support.h"

namespace {
constexpr std::string_view kSlowName = "slow-dns.paygate.test";
}

// Interposes on getaddrinfo for this test binary (the static library's calls resolve to it): the one name
// above never answers within the test's patience, like a resolver that has gone silent; every other name is
// looked up for real.
extern "C" int getaddrinfo(const char* __restrict node, const char* __restrict service,
                           const addrinfo* __restrict hints, addrinfo** __restrict result) noexcept {
  using Real = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "getaddrinfo"));
  if (node != nullptr && std::string_view(node) == kSlowName) {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    return EAI_AGAIN;
  }
  return real(node, service, hints, result);
}

namespace paygate::test {
namespace {

using nlohmann::json;

const std::string kFastRetries =
    "[webhooks]\nfirst_retry_ms = 20\nretry_max_ms = 100\npoll_interval_ms = 10\n";

// A name other than localhost that this machine resolves (from /etc/hosts) to an address the guard refuses.
std::optional<std::string> name_resolving_to_forbidden_address() {
  std::ifstream hosts("/etc/hosts");
  const DestinationPolicy strict;
  for (std::string line; std::getline(hosts, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string address;
    if (!(words >> address)) continue;
    auto ip = IpAddress::parse(address);
    if (!ip || strict.allows(*ip) || ip->v6) continue;
    for (std::string name; words >> name;) {
      if (name == "localhost" || name.ends_with(".localhost")) continue;
      return name;
    }
  }
  return std::nullopt;
}

class Ssrf : public SecuredGateway {};

TEST_F(Ssrf, LiteralForbiddenAddressesAreRefusedAtCreateNamingNotifyUrl) {
  start(kFastRetries);
  Tripwire tripwire("127.0.0.1");
  const std::string port = std::to_string(tripwire.port());
  auto client = merchant();
  int n = 0;
  for (const std::string& url : std::vector<std::string>{
           "http://127.0.0.1:" + port + "/x", "http://10.0.0.5/", "http://169.254.169.254/latest/meta-data/",
           "http://127.1:" + port + "/", "http://2130706433:" + port + "/", "http://0x7f000001:" + port + "/",
           "http://[::ffff:127.0.0.1]:" + port + "/", "http://localhost:" + port + "/",
           "http://LocalHost.:" + port, "http://100.64.0.1/", "http://172.16.0.1/", "http://192.168.0.1/",
           "http://[::1]:" + port + "/", "http://[fe80::1]/", "http://[fd00::1]/",
           "http://0.0.0.0:" + port + "/", "http://224.0.0.1/"}) {
    json body = order_body("ssrf-" + std::to_string(n++));
    body["notify_url"] = url;
    auto created = client.post("/api/v1/orders", body.dump());
    EXPECT_EQ(created.status, 400) << url;
    EXPECT_EQ(created.code(), "INVALID_PARAMETER") << url;
    EXPECT_EQ(created.message().rfind("notify_url:", 0), 0u) << created.message();
    auto refund = client.post(
        "/api/v1/orders/20261202000000000AAAAAAAAAAAAAAA/refunds",
        json{{"out_refund_no", "r" + std::to_string(n)}, {"amount", 1}, {"notify_url", url}}.dump());
    EXPECT_EQ(refund.status, 400) << url;
    EXPECT_EQ(refund.message().rfind("notify_url:", 0), 0u) << refund.message();
  }
  EXPECT_TRUE(client.get("/api/v1/orders?limit=10").data()["orders"].empty())
      << "a refused create wrote nothing";
  EXPECT_EQ(tripwire.connections(), 0);
}

TEST_F(Ssrf, ANameThatResolvesToLoopbackIsRefusedOnDeliveryAndResendWithOneWord) {
  const auto name = name_resolving_to_forbidden_address();
  ASSERT_TRUE(name.has_value())
      << "this test needs a name in /etc/hosts (other than localhost) for a loopback address";
  start(kFastRetries);
  Tripwire tripwire("127.0.0.1");
  auto client = merchant();
  json body = order_body("ssrf-name");
  body["notify_url"] = tripwire.url(*name);
  auto created = client.post("/api/v1/orders", body.dump());
  ASSERT_EQ(created.status, 201) << "a name is not refused at create: " << created.raw.body;
  const std::string order_id = created.data()["order_id"];
  ASSERT_EQ(client.post("/api/v1/orders/" + order_id + "/close", "").status, 200);
  json event = attempted_event(order_id);
  ASSERT_FALSE(event.is_null());
  EXPECT_EQ(event["delivery"]["last_error"], "destination_forbidden");
  EXPECT_TRUE(event["delivery"]["last_http_status"].is_null());
  // Resend repeats the refusal, never the request.
  const int attempts = event["delivery"]["attempts"];
  ASSERT_EQ(client.post("/api/v1/events/" + event["event_id"].get<std::string>() + "/resend", "").status,
            200);
  event = attempted_event(order_id, attempts);
  ASSERT_FALSE(event.is_null()) << "the resend was never attempted";
  EXPECT_EQ(event["delivery"]["last_error"], "destination_forbidden");
  EXPECT_EQ(tripwire.connections(), 0) << "the listener behind the name must receive nothing";
}

TEST_F(Ssrf, RedirectsAreNeverFollowed) {
  // Only 127.0.0.1 is opened (as a development config would open one receiver); 127.0.0.2 stays forbidden.
  start(kFastRetries + "allowed_networks = [\"127.0.0.1/32\"]\n");
  Tripwire tripwire("127.0.0.2");
  Redirector redirector(tripwire.url("127.0.0.2"));
  auto client = merchant();
  json direct = order_body("ssrf-direct");
  direct["notify_url"] = tripwire.url("127.0.0.2");
  EXPECT_EQ(client.post("/api/v1/orders", direct.dump()).status, 400) << "only the opened /32 is allowed";
  json body = order_body("ssrf-redirect");
  body["notify_url"] = redirector.url();
  auto created = client.post("/api/v1/orders", body.dump());
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const std::string order_id = created.data()["order_id"];
  ASSERT_EQ(client.post("/api/v1/orders/" + order_id + "/close", "").status, 200);
  const json event = attempted_event(order_id);
  ASSERT_FALSE(event.is_null());
  EXPECT_EQ(event["delivery"]["last_http_status"], 302) << "a redirect is an answer, and a failed delivery";
  EXPECT_GE(redirector.requests(), 1);
  EXPECT_EQ(tripwire.connections(), 0) << "the redirect's target must receive nothing";
}

TEST(HostLookup, ALookupThatHangsFailsAtTheClientsDeadline) {
  http::Client client(http::Endpoint{std::string(kSlowName), 80, false}, 300);
  const auto started = std::chrono::steady_clock::now();
  auto response = client.send("GET", "/");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos) << response.error().message;
  EXPECT_LT(waited, std::chrono::milliseconds(2'000)) << "the lookup itself takes 5 s";
}

}  // namespace
}  // namespace paygate::test
