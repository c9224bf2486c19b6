#include "tests/integration/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "app/merchant_signature.h"
#include "core/time.h"
#include "net/http_server.h"
#include "tests/integration/test_store.h"

extern char** environ;

namespace paygate::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

pid_t spawn(const std::vector<std::string>& args, const std::string& output_path,
            const std::vector<std::string>& extra_environment = {}) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Every gateway under test checks its books inside each money command (DESIGN §5): a command that would
  // break an invariant is refused, and the test sees it.
  std::vector<char*> env;
  static char verify_ledger[] = "PAYGATE_LEDGER_VERIFY_EACH_COMMAND=1";
  env.push_back(verify_ledger);
  for (const auto& entry : extra_environment) env.push_back(const_cast<char*>(entry.c_str()));
  // The store the suite runs on (PostgreSQL under PAYGATE_TEST_STORE=postgres), after the test's own entries.
  std::string data_dir;
  const bool sandbox_only = args.size() > 1 && args[1] == "sandbox";  // a sandbox keeps no store
  for (std::size_t i = 0; i + 1 < args.size() && !sandbox_only; ++i) {
    if (args[i] == "--data-dir") data_dir = args[i + 1];
  }
  const std::vector<std::string> store = store_environment(data_dir);
  for (const auto& entry : store) env.push_back(const_cast<char*>(entry.c_str()));
  // Tests sign as the demo merchant, which a gateway makes only when asked; a test that proves it is absent
  // passes PAYGATE_DEMO_ENABLED=0 among its own entries, which come first and so win.
  static char demo_enabled[] = "PAYGATE_DEMO_ENABLED=1";
  env.push_back(demo_enabled);
  for (char** entry = environ; *entry != nullptr; ++entry) env.push_back(*entry);
  env.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot spawn " + args[0]);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace

TempDir::TempDir() {
  // mkdtemp replaces the six trailing X characters with a unique suffix.
  std::string pattern =
      (std::filesystem::temp_directory_path() / "paygate-test-").string() + std::string(6, 'X');
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void expect_books_sound(const std::string& data_dir) {
  const ProcessResult verify = run_paygate({"ledger", "verify", "--data-dir", data_dir});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("\"sound\": true"), std::string::npos) << verify.output;
}

ProcessResult run_paygate(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
  TempDir scratch;
  const std::string output = scratch.path() + "/output";
  std::vector<std::string> argv = {PAYGATE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, output, environment);
  ProcessResult result;
  result.exit_code = wait_exit(pid);
  result.output = read_file(output);
  return result;
}

GatewayProcess::GatewayProcess(std::string data_dir, std::vector<std::string> extra_args,
                               std::string subcommand)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      subcommand_(std::move(subcommand)) {}

GatewayProcess::~GatewayProcess() {
  if (pid_ > 0) kill9();
}

void GatewayProcess::start() {
  const bool sandbox = subcommand_ == "sandbox";
  const std::string address_file = data_dir_ + (sandbox ? "/sandbox/alipay.json" : "/paygate.addr");
  std::filesystem::remove(address_file);
  std::vector<std::string> argv;
  // PAYGATE_TEST_WRAPPER="/usr/bin/gdb -batch -ex run -ex bt --args" runs the server under a debugger.
  if (const char* wrapper = std::getenv("PAYGATE_TEST_WRAPPER"); wrapper != nullptr && *wrapper != '\0') {
    std::istringstream words(wrapper);
    for (std::string word; words >> word;) argv.push_back(word);
  }
  // A caller that names its own --listen (a fixed port that survives restarts) keeps it.
  const bool own_listen = std::find(extra_args_.begin(), extra_args_.end(), "--listen") != extra_args_.end();
  for (std::string arg : {PAYGATE_BINARY, subcommand_.c_str()}) argv.push_back(arg);
  if (!own_listen) {
    argv.push_back("--listen");
    argv.push_back("127.0.0.1:0");
  }
  argv.push_back("--data-dir");
  argv.push_back(data_dir_);
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  std::filesystem::create_directories(data_dir_);
  pid_ = spawn(argv, data_dir_ + "/serve.log", environment_);
  // Wait for the condition "the server wrote its bound address", bounded by a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(address_file)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("paygate serve exited at start:\n" + log());
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("paygate serve did not start:\n" + log());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string address = read_file(address_file);
  if (sandbox) address = nlohmann::json::parse(address).at("gateway_url").get<std::string>();
  if (auto path = address.find('/', address.find("//") == std::string::npos ? 0 : address.find("//") + 2);
      path != std::string::npos) {
    address.resize(path);
  }
  while (!address.empty() && address.back() == '\n') address.pop_back();
  auto endpoint = http::parse_endpoint(address);
  if (!endpoint.ok()) throw std::runtime_error("bad address file: " + address);
  endpoint_ = *endpoint;
}

void GatewayProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_);
  pid_ = -1;
}

int GatewayProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill9();
  return -1;
}

int GatewayProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int code = wait_exit(pid_);
  pid_ = -1;
  if (code != 0) std::fprintf(stderr, "paygate serve exited with %d; its log:\n%s\n", code, log().c_str());
  expect_no_secret_in_store_or_log();
  return code;
}

void GatewayProcess::expect_no_secret_in_store_or_log() const {
  const std::string credentials = read_file(data_dir_ + "/demo-merchant.json");
  if (credentials.empty()) return;
  const auto demo = nlohmann::json::parse(credentials, nullptr, false);
  if (!demo.is_object()) return;
  const std::string stored = stored_merchant_secrets(data_dir_);
  std::istringstream lines(log());
  std::string json_lines;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("{")) json_lines += line + "\n";
  }
  for (const char* field : {"secret", "webhook_secret"}) {
    const std::string secret = demo.value(field, "");
    if (secret.size() < 16) continue;
    EXPECT_EQ(stored.find(secret), std::string::npos)
        << "the demo merchant's " << field << " is in the database file";
    EXPECT_EQ(json_lines.find(secret), std::string::npos)
        << "the demo merchant's " << field << " is in a log line";
  }
}

Credentials GatewayProcess::demo_merchant() const {
  const auto json = nlohmann::json::parse(read_file(data_dir_ + "/demo-merchant.json"));
  return Credentials{json.at("merchant_id").get<std::string>(), json.at("secret").get<std::string>()};
}

std::string GatewayProcess::log() const { return read_file(data_dir_ + "/serve.log"); }

std::uint16_t free_loopback_port() {
  MetricsRegistry metrics;
  http::Server probe(
      http::ServerLimits{}, [](const http::Request&, http::Responder) {}, metrics);
  return probe.listen("127.0.0.1", 0).value();
}

TempDir* SandboxSuite::dir_ = nullptr;
GatewayProcess* SandboxSuite::sandbox_ = nullptr;

void SandboxSuite::SetUpTestSuite() {
  dir_ = new TempDir();
  sandbox_ = new GatewayProcess(dir_->path(), {}, "sandbox");
  sandbox_->start();
}

void SandboxSuite::TearDownTestSuite() {
  EXPECT_EQ(sandbox_->terminate(), 0);
  delete sandbox_;
  delete dir_;
}

nlohmann::json SandboxSuite::alipay_config() {
  return nlohmann::json::parse(read_file(dir_->path() + "/sandbox/alipay.json"));
}

nlohmann::json SandboxSuite::wechatpay_config() {
  return nlohmann::json::parse(read_file(dir_->path() + "/sandbox/wechatpay.json"));
}

MerchantClient::MerchantClient(http::Endpoint endpoint, Credentials credentials)
    : client_(std::move(endpoint)), credentials_(std::move(credentials)) {}

std::string MerchantClient::sign(const std::string& method, const std::string& target,
                                 const std::string& body) const {
  return sign_request_header(credentials_.merchant_id, credentials_.secret, method, target, body,
                             SystemClock{}.now_unix_ms() / 1000);
}

ApiResponse MerchantClient::raw(const std::string& method, const std::string& target, const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  auto response = client_.send(method, target, headers, body);
  if (!response.ok()) throw std::runtime_error("request failed: " + response.error().message);
  ApiResponse out;
  out.status = response->status;
  out.raw = *response;
  out.body = nlohmann::json::parse(response->body, nullptr, false);
  return out;
}

ApiResponse MerchantClient::post(const std::string& target, const std::string& body,
                                 std::vector<std::pair<std::string, std::string>> headers) {
  headers.emplace_back("authorization", sign("POST", target, body));
  return raw("POST", target, body, headers);
}

ApiResponse MerchantClient::get(const std::string& target) {
  return raw("GET", target, "", {{"authorization", sign("GET", target, "")}});
}

nlohmann::json order_body(const std::string& out_trade_no, std::int64_t amount) {
  return {{"out_trade_no", out_trade_no}, {"amount", amount}, {"subject", "Coffee 咖啡"}};
}

std::shared_ptr<const crypto::SecretBox> test_secret_box() {
  static const auto box =
      std::make_shared<const crypto::SecretBox>(crypto::MasterKeyring{{crypto::new_master_key(0)}});
  return box;
}

}  // namespace paygate::test
