// `paygate bench create-orders`: a keep-alive load generator that signs every request like a merchant and
// reports throughput and latency percentiles. Each connection keeps exactly one request in flight.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "app/merchant_signature.h"
#include "crypto/random.h"
#include "fmt/format.h"
#include "infra/http/http_client.h"
#include "main/commands.h"
#include "main/credentials.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct ConnectionStats {
  std::vector<std::uint32_t> latencies_us;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
};

struct BenchPlan {
  http::Endpoint endpoint;
  MerchantCredentials credentials;
  std::string run_id;
  Clock::time_point deadline;
  std::atomic<std::uint64_t>* next_order_number;
};

net::awaitable<void> drive_connection(const BenchPlan& plan, unsigned index, ConnectionStats& stats) {
  auto executor = co_await net::this_coro::executor;
  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  bool connected = false;
  const std::string host = fmt::format("{}:{}", plan.endpoint.host, plan.endpoint.port);
  (void)index;
  while (Clock::now() < plan.deadline) {
    beast::error_code ec;
    if (!connected) {
      co_await stream.async_connect(tcp::endpoint(net::ip::make_address(plan.endpoint.host), plan.endpoint.port),
                                    net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        // No server to measure: count it and stop this connection rather than spin on connect.
        ++stats.transport_errors;
        co_return;
      }
      stream.socket().set_option(tcp::no_delay(true));
      connected = true;
    }
    // out_trade_no follows one increasing sequence, as a merchant's own order numbers do.
    const std::uint64_t order_number = plan.next_order_number->fetch_add(1);
    const std::string body = fmt::format(
        R"({{"out_trade_no":"bench-{}-{:012}","amount":{},"subject":"bench order","notify_url":"http://127.0.0.1:9/hook"}})",
        plan.run_id, order_number, 100 + order_number % 9900);
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, "/api/v1/orders", 11};
    request.set(bhttp::field::host, host);
    request.set(bhttp::field::content_type, "application/json");
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    request.set(bhttp::field::authorization,
                sign_request_header(plan.credentials.merchant_id, plan.credentials.secret, "POST", "/api/v1/orders",
                                    body, now_s));
    request.body() = body;
    request.prepare_payload();

    const auto started = Clock::now();
    co_await bhttp::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
    bhttp::response<bhttp::string_body> response;
    if (!ec) co_await bhttp::async_read(stream, buffer, response, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      ++stats.transport_errors;
      beast::error_code ignored;
      stream.socket().close(ignored);
      buffer.clear();
      connected = false;
      continue;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    stats.latencies_us.push_back(static_cast<std::uint32_t>(elapsed));
    ++stats.statuses[static_cast<int>(response.result_int())];
    if (!response.keep_alive()) {
      beast::error_code ignored;
      stream.socket().close(ignored);
      connected = false;
    }
  }
}

double percentile_ms(const std::vector<std::uint32_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted_us.size() - 1) + 0.5);
  return sorted_us[std::min(rank, sorted_us.size() - 1)] / 1000.0;
}

}  // namespace

int run_bench(const CommonOptions& common, const BenchOptions& options) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  auto credentials = read_credentials(config->store.data_dir + "/demo-merchant.json");
  if (!credentials.ok()) return fail(credentials.error().message);
  auto endpoint = http::parse_endpoint(resolve_server_url(*config, options.server_url));
  if (!endpoint.ok()) return fail(endpoint.error().message);

  std::atomic<std::uint64_t> next_order_number{0};
  BenchPlan plan{*endpoint, *credentials, crypto::random_base62(6), {}, &next_order_number};
  std::vector<ConnectionStats> stats(options.concurrency);
  net::io_context io;
  const auto started = Clock::now();
  plan.deadline = started + std::chrono::seconds(options.duration_s);
  for (unsigned i = 0; i < options.concurrency; ++i) {
    net::co_spawn(net::make_strand(io), drive_connection(plan, i, stats[i]), net::detached);
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();

  std::vector<std::uint32_t> latencies;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  for (const auto& connection : stats) {
    latencies.insert(latencies.end(), connection.latencies_us.begin(), connection.latencies_us.end());
    for (const auto& [status, count] : connection.statuses) statuses[status] += count;
    transport_errors += connection.transport_errors;
  }
  std::sort(latencies.begin(), latencies.end());
  const std::uint64_t created = statuses[201];
  nlohmann::json status_counts = nlohmann::json::object();
  for (const auto& [status, count] : statuses) status_counts[std::to_string(status)] = count;
  const nlohmann::json report = {
      {"scenario", options.scenario},
      {"concurrency", options.concurrency},
      {"duration_s", elapsed_s},
      {"requests", latencies.size()},
      {"created", created},
      {"requests_per_s", static_cast<double>(latencies.size()) / elapsed_s},
      {"p50_ms", percentile_ms(latencies, 50)},
      {"p99_ms", percentile_ms(latencies, 99)},
      {"p999_ms", percentile_ms(latencies, 99.9)},
      {"max_ms", latencies.empty() ? 0.0 : latencies.back() / 1000.0},
      {"statuses", status_counts},
      {"transport_errors", transport_errors},
  };
  std::printf("%s\n", report.dump(2).c_str());
  return transport_errors == 0 && created == latencies.size() ? 0 : 2;
}

}  // namespace paygate::cli
