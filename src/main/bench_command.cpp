// `paygate bench create-orders`: a keep-alive load generator that signs every request like a merchant and
// reports throughput and latency percentiles. Each connection keeps exactly one request in flight.
#include <utility>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <filesystem>

#include "app/merchant_signature.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "crypto/x509.h"
#include "fmt/format.h"
#include "infra/channels/alipay/codec.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/messages.h"
#include "infra/http/http_client.h"
#include "main/commands.h"
#include "main/credentials.h"
#include "main/sandbox_runtime.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct ConnectionStats {
  std::vector<std::uint32_t> latencies_us;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  std::uint64_t succeeded = 0;
};

// One request of a load run. Requests are built before they are timed, so signing costs the client only.
struct BenchRequest {
  std::string target;
  std::string authorization;  // empty: none
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (WeChat Pay's Wechatpay-*)
};

// The request as bytes on the wire. The load generator shares the two cores with the server it measures,
// so it sends pre-built bytes and reads answers with a minimal parser, as wrk does, instead of building
// and parsing full HTTP messages (that cost the client ~25 us a request, an eighth of the box).
std::string wire_bytes(const BenchRequest& request, const std::string& host) {
  std::string out = fmt::format("POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                                request.target, host, request.content_type, request.body.size());
  if (!request.authorization.empty()) out += fmt::format("Authorization: {}\r\n", request.authorization);
  for (const auto& [name, value] : request.headers) out += fmt::format("{}: {}\r\n", name, value);
  out += "\r\n";
  out += request.body;
  return out;
}

struct BenchPlan {
  http::Endpoint endpoint;
  std::string host;  // "host:port", the Host header
  Clock::time_point deadline;
  // Returns the next request's bytes, or nullopt when the scenario has no more (the connection then stops).
  std::function<std::optional<std::string>()> next;
  // Whether an answer counts as a success of the scenario (e.g. 201, or the body "success").
  std::function<bool(int status, std::string_view body)> succeeded;
};

// The parts of an HTTP/1.1 answer the load generator needs. nullopt: not an answer it can read (our
// servers always send Content-Length; chunked bodies are not expected here).
struct AnswerHead {
  int status = 0;
  std::size_t content_length = 0;
  bool keep_alive = true;
};

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string_view header_value(std::string_view line, std::size_t name_size) {
  std::string_view value = line.substr(name_size + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

std::optional<AnswerHead> parse_answer_head(std::string_view head) {
  if (!head.starts_with("HTTP/1.1 ") || head.size() < 12) return std::nullopt;
  AnswerHead out;
  if (std::from_chars(head.data() + 9, head.data() + 12, out.status).ec != std::errc{}) return std::nullopt;
  bool has_length = false;
  std::size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    const std::size_t line_end = head.find("\r\n", line_start + 2);
    const std::string_view line = head.substr(line_start + 2, line_end - line_start - 2);
    if (header_is(line, "content-length")) {
      const auto value = header_value(line, 14);
      if (std::from_chars(value.data(), value.data() + value.size(), out.content_length).ec != std::errc{})
        return std::nullopt;
      has_length = true;
    } else if (header_is(line, "connection")) {
      out.keep_alive = header_value(line, 10) != "close";
    } else if (header_is(line, "transfer-encoding")) {
      return std::nullopt;
    }
    line_start = line_end;
  }
  if (!has_length) return std::nullopt;
  return out;
}

net::awaitable<void> drive_connection(const BenchPlan& plan, ConnectionStats& stats) {
  auto executor = co_await net::this_coro::executor;
  tcp::socket socket(executor);
  std::string buffer;  // bytes read and not yet consumed
  bool connected = false;
  while (Clock::now() < plan.deadline) {
    beast::error_code ec;
    if (!connected) {
      co_await socket.async_connect(
          tcp::endpoint(net::ip::make_address(plan.endpoint.host), plan.endpoint.port),
          net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        // No server to measure: count it and stop this connection rather than spin on connect.
        ++stats.transport_errors;
        co_return;
      }
      socket.set_option(tcp::no_delay(true));
      connected = true;
    }
    auto next = plan.next();
    if (!next) co_return;

    const auto started = Clock::now();
    co_await net::async_write(socket, net::buffer(*next), net::redirect_error(net::use_awaitable, ec));
    std::optional<AnswerHead> head;
    std::size_t head_size = 0;
    if (!ec) {
      head_size = co_await net::async_read_until(socket, net::dynamic_buffer(buffer), "\r\n\r\n",
                                                 net::redirect_error(net::use_awaitable, ec));
    }
    if (!ec) head = parse_answer_head(std::string_view(buffer).substr(0, head_size));
    if (!ec && head && buffer.size() < head_size + head->content_length) {
      co_await net::async_read(socket, net::dynamic_buffer(buffer),
                               net::transfer_exactly(head_size + head->content_length - buffer.size()),
                               net::redirect_error(net::use_awaitable, ec));
    }
    if (ec || !head) {
      ++stats.transport_errors;
      beast::error_code ignored;
      socket.close(ignored);
      buffer.clear();
      connected = false;
      continue;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    stats.latencies_us.push_back(static_cast<std::uint32_t>(elapsed));
    ++stats.statuses[head->status];
    if (plan.succeeded(head->status, std::string_view(buffer).substr(head_size, head->content_length)))
      ++stats.succeeded;
    buffer.erase(0, head_size + head->content_length);
    if (!head->keep_alive) {
      beast::error_code ignored;
      socket.close(ignored);
      buffer.clear();
      connected = false;
    }
  }
}

double percentile_ms(const std::vector<std::uint32_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted_us.size() - 1) + 0.5);
  return sorted_us[std::min(rank, sorted_us.size() - 1)] / 1000.0;
}

// create-orders: merchant-signed order creation; with --channel alipay each order also gets its QR code from
// the channel (two RSA signatures: ours on the request, Alipay's on the answer).
std::function<std::optional<std::string>()> create_order_requests(
    const MerchantCredentials& credentials, const BenchOptions& options, const std::string& host,
    std::shared_ptr<std::atomic<std::uint64_t>> counter) {
  const std::string run_id = crypto::random_base62(6);
  std::string channel_fields;
  if (!options.channel.empty()) {
    channel_fields = fmt::format(R"(,"channel":"{}","method":"{}")", options.channel, options.method);
  }
  return [credentials, run_id, channel_fields, host, counter]() -> std::optional<std::string> {
    // out_trade_no follows one increasing sequence, as a merchant's own order numbers do.
    const std::uint64_t number = counter->fetch_add(1);
    std::string body = fmt::format(
        R"({{"out_trade_no":"bench-{}-{:012}","amount":{},"subject":"bench order","notify_url":"http://127.0.0.1:9/hook"{}}})",
        run_id, number, 100 + number % 9900, channel_fields);
    const auto now_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::string authorization = sign_request_header(credentials.merchant_id, credentials.secret, "POST",
                                                    "/api/v1/orders", body, now_s);
    return wire_bytes(
        BenchRequest{"/api/v1/orders", std::move(authorization), "application/json", std::move(body)}, host);
  };
}

// alipay-notifies: creates --orders page-pay orders (no channel call), signs one TRADE_SUCCESS notify per
// order with the sandbox's Alipay key, then sends them as fast as the gateway takes them. Each notify costs
// the gateway one RSA verification, one durable transition and one outbox event.
Result<std::vector<std::string>> prepare_notifies(const Config& config, const http::Endpoint& endpoint,
                                                  const MerchantCredentials& credentials,
                                                  std::uint32_t orders) {
  std::ifstream key_file(config.store.data_dir + "/sandbox/alipay_platform_key.pem");
  std::stringstream key_text;
  key_text << key_file.rdbuf();
  auto alipay_key = crypto::RsaPrivateKey::from_pem(key_text.str());
  if (!alipay_key.ok())
    return make_error(ErrorCode::kInvalidParameter, "needs a gateway started with --sandbox");
  http::Client client(endpoint);
  const std::string run_id = crypto::random_base62(6);
  std::vector<std::string> bodies;
  bodies.reserve(orders);
  const std::string now = format_beijing_time(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
  for (std::uint32_t i = 0; i < orders; ++i) {
    const std::string body = fmt::format(
        R"({{"out_trade_no":"notify-{}-{:08}","amount":990,"subject":"notify bench","channel":"alipay","method":"page"}})",
        run_id, i);
    const auto now_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    auto created =
        client.send("POST", "/api/v1/orders",
                    {{"authorization", sign_request_header(credentials.merchant_id, credentials.secret,
                                                           "POST", "/api/v1/orders", body, now_s)}},
                    body);
    if (!created.ok() || created->status != 201)
      return make_error(ErrorCode::kInternal, "creating the orders failed");
    const auto order = nlohmann::json::parse(created->body);
    alipay::Params notify = {{"notify_time", now},
                             {"notify_type", "trade_status_sync"},
                             {"notify_id", fmt::format("bench-{}-{}", run_id, i)},
                             {"app_id", kSandboxAlipayAppId},
                             {"charset", "utf-8"},
                             {"version", "1.0"},
                             {"sign_type", "RSA2"},
                             {"trade_no", fmt::format("2026{:012}", i)},
                             {"out_trade_no", order["data"]["order_id"].get<std::string>()},
                             {"trade_status", "TRADE_SUCCESS"},
                             {"total_amount", "9.90"},
                             {"gmt_payment", now}};
    notify["sign"] = alipay::sign(notify, alipay::SignScope::kNotify, *alipay_key);
    bodies.push_back(alipay::form_encode(notify));
  }
  return bodies;
}

// Creates one merchant order through the gateway; returns its order_id.
Result<std::string> create_bench_order(http::Client& client, const MerchantCredentials& credentials,
                                       const std::string& body) {
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto created =
      client.send("POST", "/api/v1/orders",
                  {{"authorization", sign_request_header(credentials.merchant_id, credentials.secret, "POST",
                                                         "/api/v1/orders", body, now_s)}},
                  body);
  if (!created.ok() || created->status != 201)
    return make_error(ErrorCode::kInternal, "creating the orders failed");
  return nlohmann::json::parse(created->body)["data"]["order_id"].get<std::string>();
}

// wechatpay-callbacks: creates --orders WeChat Pay native orders (each one a real call to the sandbox), then
// builds one TRANSACTION.SUCCESS callback per order as WeChat Pay does: the transaction encrypted with the
// APIv3 key, the body signed with the sandbox's platform key. Each callback costs the gateway one RSA
// verification, one AES-GCM decryption, one durable transition with its ledger postings and one outbox event.
Result<std::vector<BenchRequest>> prepare_wechatpay_callbacks(const Config& config,
                                                              const http::Endpoint& endpoint,
                                                              const MerchantCredentials& credentials,
                                                              std::uint32_t orders) {
  const std::string dir = config.store.data_dir + "/sandbox/";
  auto read = [](const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  auto platform_key = crypto::RsaPrivateKey::from_pem(read(dir + "wechatpay_platform_key.pem"));
  auto certificate = crypto::Certificate::from_pem(read(dir + "wechatpay_platform_cert.pem"));
  const std::string apiv3_key = read(dir + "wechatpay_apiv3_key");
  if (!platform_key.ok() || !certificate.ok() || !wechatpay::is_apiv3_key(apiv3_key))
    return make_error(ErrorCode::kInvalidParameter, "needs a gateway started with --sandbox");
  http::Client client(endpoint);
  const std::string run_id = crypto::random_base62(6);
  std::vector<BenchRequest> callbacks;
  callbacks.reserve(orders);
  for (std::uint32_t i = 0; i < orders; ++i) {
    auto order_id = create_bench_order(
        client, credentials,
        fmt::format(
            R"({{"out_trade_no":"wxcb-{}-{:08}","amount":990,"subject":"callback bench","channel":"wechatpay","method":"native"}})",
            run_id, i));
    if (!order_id.ok()) return std::move(order_id).error();
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    wechatpay::Transaction t;
    t.appid = kSandboxWechatpayAppid;
    t.mchid = kSandboxWechatpayMchid;
    t.out_trade_no = *order_id;
    t.transaction_id = fmt::format("4200{:024}", i);
    t.trade_state = "SUCCESS";
    t.trade_type = "NATIVE";
    t.payer_openid = "oBenchPayer";
    t.total_fen = 990;
    t.payer_total_fen = 990;
    t.success_time = wechatpay::format_beijing_rfc3339(now_ms);
    wechatpay::Callback callback;
    callback.id = fmt::format("bench-{}-{}", run_id, i);
    callback.create_time = t.success_time;
    callback.event_type = "TRANSACTION.SUCCESS";
    callback.summary = "支付成功";
    callback.resource =
        wechatpay::encrypt_resource(apiv3_key, wechatpay::transaction_json(t), "transaction", "transaction");
    std::string body = wechatpay::callback_json(callback);
    auto headers = wechatpay::to_header_list(
        wechatpay::sign_response(certificate->serial_hex(), *platform_key, body, now_ms));
    callbacks.push_back(BenchRequest{"/notify/wechatpay/wechatpay-sandbox", "", "application/json",
                                     std::move(body), std::move(headers)});
  }
  return callbacks;
}

}  // namespace

// User + system CPU seconds of a process so far (0 once it is gone).
double process_cpu_s(int pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto after_name = text.rfind(')');  // the command name may hold spaces
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Processes whose CPU a group counts: listed pids, or every process of a user (PostgreSQL forks a backend
// per connection, and a pool opens some while the clock runs).
struct CpuGroup {
  std::string name;
  std::vector<int> pids;
  std::optional<uid_t> user;
};

// pid → CPU seconds of the group's processes now.
std::map<int, double> group_cpu(const CpuGroup& group) {
  std::map<int, double> cpu;
  if (!group.user) {
    for (int pid : group.pids) cpu[pid] = process_cpu_s(pid);
    return cpu;
  }
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    struct stat owner {};
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        ::stat(entry.path().c_str(), &owner) != 0 || owner.st_uid != *group.user)
      continue;
    cpu[std::stoi(name)] = process_cpu_s(std::stoi(name));
  }
  return cpu;
}

// What the group spent between two readings; a process that appeared in between counts from zero.
double cpu_spent(const std::map<int, double>& before, const std::map<int, double>& after) {
  double total = 0;
  for (const auto& [pid, seconds] : after) {
    auto it = before.find(pid);
    total += seconds - (it == before.end() ? 0.0 : it->second);
  }
  return total;
}

// --cpu-of NAME=PID[,PID...] or NAME=user:LOGIN; refuses anything else.
Result<std::vector<CpuGroup>> parse_cpu_of(const std::vector<std::string>& specs) {
  std::vector<CpuGroup> groups;
  for (const std::string& spec : specs) {
    const auto equals = spec.find('=');
    if (equals == std::string::npos || equals == 0)
      return make_error(ErrorCode::kInvalidParameter,
                        "--cpu-of: expected NAME=PID[,PID...] or NAME=user:LOGIN");
    if (spec.compare(equals + 1, 5, "user:") == 0) {
      const struct passwd* login = ::getpwnam(spec.substr(equals + 6).c_str());
      if (login == nullptr)
        return make_error(ErrorCode::kInvalidParameter,
                          fmt::format("--cpu-of: no user '{}'", spec.substr(equals + 6)));
      groups.push_back(CpuGroup{spec.substr(0, equals), {}, login->pw_uid});
      continue;
    }
    std::vector<int> pids;
    std::istringstream list(spec.substr(equals + 1));
    for (std::string pid; std::getline(list, pid, ',');) {
      if (pid.empty()) continue;
      if (!std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return make_error(ErrorCode::kInvalidParameter, fmt::format("--cpu-of: '{}' is not a pid", pid));
      pids.push_back(std::stoi(pid));
    }
    groups.push_back(CpuGroup{spec.substr(0, equals), std::move(pids), std::nullopt});
  }
  return groups;
}

int run_bench(const CommonOptions& common, const BenchOptions& options) {
  auto cpu_groups = parse_cpu_of(options.cpu_of);
  if (!cpu_groups.ok()) return fail(cpu_groups.error().message);
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  auto credentials = read_credentials(config->store.data_dir + "/demo-merchant.json");
  if (!credentials.ok()) return fail(credentials.error().message);
  auto endpoint = http::parse_endpoint(resolve_server_url(*config, options.server_url));
  if (!endpoint.ok()) return fail(endpoint.error().message);

  BenchPlan plan;
  plan.endpoint = *endpoint;
  plan.host = fmt::format("{}:{}", endpoint->host, endpoint->port);
  // The notify scenarios send requests prepared (signed, encrypted, serialised) before the clock starts.
  std::vector<std::string> prepared_requests;
  if (options.scenario == "alipay-notifies") {
    auto prepared = prepare_notifies(*config, *endpoint, *credentials, options.orders);
    if (!prepared.ok()) return fail(prepared.error().message);
    for (auto& body : *prepared) {
      prepared_requests.push_back(
          wire_bytes(BenchRequest{"/notify/alipay/alipay-sandbox", "", "application/x-www-form-urlencoded",
                                  std::move(body)},
                     plan.host));
    }
    plan.succeeded = [](int status, std::string_view body) { return status == 200 && body == "success"; };
  } else if (options.scenario == "wechatpay-callbacks") {
    auto prepared = prepare_wechatpay_callbacks(*config, *endpoint, *credentials, options.orders);
    if (!prepared.ok()) return fail(prepared.error().message);
    for (const auto& callback : *prepared) prepared_requests.push_back(wire_bytes(callback, plan.host));
    plan.succeeded = [](int status, std::string_view) { return status == 204; };
  } else {
    plan.next = create_order_requests(*credentials, options, plan.host,
                                      std::make_shared<std::atomic<std::uint64_t>>(0));
    plan.succeeded = [](int status, std::string_view) { return status == 201; };
  }
  if (!plan.next) {
    auto requests = std::make_shared<std::vector<std::string>>(std::move(prepared_requests));
    auto next_index = std::make_shared<std::atomic<std::size_t>>(0);
    plan.next = [requests, next_index]() -> std::optional<std::string> {
      const std::size_t index = next_index->fetch_add(1);
      if (index >= requests->size()) return std::nullopt;
      return (*requests)[index];
    };
  }

  std::vector<ConnectionStats> stats(options.concurrency);
  net::io_context io;
  std::vector<std::map<int, double>> cpu_before;
  for (const CpuGroup& group : *cpu_groups) cpu_before.push_back(group_cpu(group));
  const auto started = Clock::now();
  plan.deadline = started + std::chrono::seconds(options.duration_s);
  for (unsigned i = 0; i < options.concurrency; ++i) {
    net::co_spawn(net::make_strand(io), drive_connection(plan, stats[i]), net::detached);
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
  nlohmann::json cpu_s = nlohmann::json::object();
  for (std::size_t i = 0; i < cpu_groups->size(); ++i)
    cpu_s[(*cpu_groups)[i].name] = cpu_spent(cpu_before[i], group_cpu((*cpu_groups)[i]));

  std::vector<std::uint32_t> latencies;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  std::uint64_t succeeded = 0;
  for (const auto& connection : stats) {
    latencies.insert(latencies.end(), connection.latencies_us.begin(), connection.latencies_us.end());
    for (const auto& [status, count] : connection.statuses) statuses[status] += count;
    transport_errors += connection.transport_errors;
    succeeded += connection.succeeded;
  }
  std::sort(latencies.begin(), latencies.end());
  nlohmann::json status_counts = nlohmann::json::object();
  for (const auto& [status, count] : statuses) status_counts[std::to_string(status)] = count;
  const nlohmann::json report = {
      {"scenario", options.scenario},
      {"concurrency", options.concurrency},
      {"duration_s", elapsed_s},
      {"requests", latencies.size()},
      {"succeeded", succeeded},
      {"requests_per_s", static_cast<double>(latencies.size()) / elapsed_s},
      {"p50_ms", percentile_ms(latencies, 50)},
      {"p99_ms", percentile_ms(latencies, 99)},
      {"p999_ms", percentile_ms(latencies, 99.9)},
      {"max_ms", latencies.empty() ? 0.0 : latencies.back() / 1000.0},
      {"statuses", status_counts},
      {"transport_errors", transport_errors},
      {"cpu_s", cpu_s},
  };
  std::printf("%s\n", report.dump(2).c_str());
  return transport_errors == 0 && succeeded == latencies.size() ? 0 : 2;
}

}  // namespace paygate::cli
