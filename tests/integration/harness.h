// Test harness: temporary directories, the real paygate binary as a child process, and a merchant client
// that signs requests exactly as merchants must.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/result.h"
#include "crypto/secret_box.h"
#include "infra/http/http_client.h"
#include "nlohmann/json.hpp"

namespace paygate::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Credentials {
  std::string merchant_id;
  std::string secret;
};

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `paygate args...` to completion; environment entries ("NAME=value") win over the suite's.
ProcessResult run_paygate(const std::vector<std::string>& args,
                          const std::vector<std::string>& environment = {});
// `paygate ledger verify --data-dir data_dir` must exit 0 with sound books (a gtest expectation).
void expect_books_sound(const std::string& data_dir);

// A loopback port that was free a moment ago: a gateway given it keeps it across restarts, so a sandbox's
// notify URL stays right.
std::uint16_t free_loopback_port();

class GatewayProcess {
 public:
  // subcommand "serve" waits for <data_dir>/paygate.addr; "sandbox" for <data_dir>/sandbox/alipay.json.
  // extra_args may name "--listen HOST:PORT" (default 127.0.0.1:0).
  explicit GatewayProcess(std::string data_dir, std::vector<std::string> extra_args = {},
                          std::string subcommand = "serve");
  ~GatewayProcess();

  // Starts `paygate serve --listen 127.0.0.1:0 --data-dir …` and waits until it has written its address.
  void start();
  // "NAME=value" entries added to the environment of every later start() (replaces earlier ones).
  void set_environment(std::vector<std::string> entries) { environment_ = std::move(entries); }
  // Waits up to timeout for a process that should end by itself (e.g. it aborts); returns its exit code,
  // 128 + the signal if a signal ended it, or -1 if it was still running (it is then killed).
  int wait_for_exit(std::chrono::milliseconds timeout);
  void kill9();
  // SIGTERM, then waits for the exit; returns the exit code.
  int terminate();
  bool running() const { return pid_ > 0; }

  http::Endpoint endpoint() const { return endpoint_; }
  Credentials demo_merchant() const;
  std::string log() const;
  // Every gateway a test stops is checked: the demo merchant's secrets are in no JSON log line and not in
  // the database files (they are sealed at rest).
  void expect_no_secret_in_store_or_log() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string subcommand_;
  std::vector<std::string> environment_;
  pid_t pid_ = -1;
  http::Endpoint endpoint_;
};

// A test suite sharing one `paygate sandbox` process in a temp dir (started once per suite).
class SandboxSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // The sandbox's alipay.json: app_id, app_private_key, alipay_public_key, gateway_url.
  static nlohmann::json alipay_config();
  // The sandbox's wechatpay.json: mchid, appid, merchant_private_key, merchant_serial, platform_certificates,
  // apiv3_key, base_url.
  static nlohmann::json wechatpay_config();

  static TempDir* dir_;
  static GatewayProcess* sandbox_;
};

struct ApiResponse {
  int status = 0;
  nlohmann::json body;
  http::ClientResponse raw;
  std::string code() const { return body.value("code", ""); }
  std::string message() const { return body.value("message", ""); }
  const nlohmann::json& data() const { return body.at("data"); }
};

// One keep-alive connection that signs every request with the given merchant's credentials.
class MerchantClient {
 public:
  MerchantClient(http::Endpoint endpoint, Credentials credentials);

  ApiResponse post(const std::string& target, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {});
  ApiResponse get(const std::string& target);
  // Sends exactly these headers (no signing): for authentication tests.
  ApiResponse raw(const std::string& method, const std::string& target, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers);
  std::string sign(const std::string& method, const std::string& target, const std::string& body) const;

 private:
  http::Client client_;
  Credentials credentials_;
};

// Runs an asynchronous store call to completion: start receives the completion to pass on.
template <class T, class Start>
Result<T> await(Start start) {
  return wait_for_completion<T>(std::move(start));
}

nlohmann::json order_body(const std::string& out_trade_no, std::int64_t amount = 990);

// One master key for every store a test process opens in-process (so a reopened store reads its secrets).
std::shared_ptr<const crypto::SecretBox> test_secret_box();

}  // namespace paygate::test
