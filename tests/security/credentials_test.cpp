// Proves the credentials: merchant and operator credentials never cross (401 with distinct codes both ways),
// a viewer cannot write, every operator write is in the audit log with its request id; no merchant secret,
// webhook secret or operator key is ever in the database file or a log line; every file paygate writes is
// 0600 in a 0700 data dir; the demo merchant exists only when asked; and rotating the master key keeps every
// secret readable by a gateway that is running meanwhile.
#include <sys/stat.h>

#include <filesystem>

#include "tests/integration/sandboxed_gateway.h"
#include "tests/security/security_support.h"

namespace paygate::test {
namespace {

using nlohmann::json;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class Credentials : public SecuredGateway {};

TEST_F(Credentials, OperatorAndMerchantCredentialsNeverCrossAndEveryOperatorWriteIsAudited) {
  std::filesystem::create_directories(data_dir());
  const std::string admin_key = create_operator_key(data_dir(), "admin");
  const std::string viewer_key = create_operator_key(data_dir(), "viewer");
  start();
  OperatorClient admin(gateway_->endpoint(), admin_key);
  OperatorClient viewer(gateway_->endpoint(), viewer_key);
  auto client = merchant();

  // A merchant signature at /admin/v1 and an operator key at /api/v1 are each refused by name.
  EXPECT_EQ(client.get("/admin/v1/merchants").code(), "MERCHANT_CREDENTIAL_REJECTED");
  auto crossed = client.raw("GET", "/api/v1/orders?limit=1", "", {{"authorization", "Bearer " + admin_key}});
  EXPECT_EQ(crossed.status, 401);
  EXPECT_EQ(crossed.code(), "OPERATOR_KEY_REJECTED");
  EXPECT_EQ(client.raw("GET", "/admin/v1/merchants", "", {}).code(), "AUTH_MISSING");
  OperatorClient stranger(gateway_->endpoint(), "pgop_" + std::string(43, 'x'));
  EXPECT_EQ(stranger.call("GET", "/admin/v1/merchants").code(), "OPERATOR_KEY_INVALID");

  // A viewer reads, and its writes change nothing.
  EXPECT_EQ(viewer.call("GET", "/admin/v1/merchants").status, 200);
  auto refused = viewer.call("POST", "/admin/v1/merchants", R"({"name":"Not allowed"})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.code(), "OPERATOR_FORBIDDEN");
  EXPECT_EQ(viewer.call("GET", "/admin/v1/merchants").data()["merchants"].size(), 1u)
      << "only the demo merchant";
  const json first = admin.call("GET", "/admin/v1/audit").data()["entries"];
  ASSERT_EQ(first.size(), 1u) << "only the demo merchant's creation, by the system: " << first.dump();
  EXPECT_EQ(first[0]["operator_id"], "system");

  // Every admin write lands in the audit log with its request id.
  auto created = admin.call("POST", "/admin/v1/merchants", R"({"name":"Tea House"})");
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const std::string merchant_id = created.data()["merchant_id"];
  EXPECT_TRUE(created.data()["secret"].get<std::string>().starts_with("sk_"));
  std::vector<std::pair<std::string, std::string>> writes = {
      {"merchant.create", created.raw.header("x-request-id")}};
  for (const auto& [path, action] : std::vector<std::pair<std::string, std::string>>{
           {"disable", "merchant.disable"},
           {"enable", "merchant.enable"},
           {"rotate-secret", "merchant.rotate_secret"},
           {"rotate-webhook-secret", "merchant.rotate_webhook_secret"}}) {
    auto answer = admin.call("POST", "/admin/v1/merchants/" + merchant_id + "/" + path);
    ASSERT_EQ(answer.status, 200) << path << ": " << answer.raw.body;
    writes.emplace_back(action, answer.raw.header("x-request-id"));
  }
  EXPECT_EQ(admin.call("POST", "/admin/v1/merchants/mch_nobody/disable").code(), "MERCHANT_NOT_FOUND");
  const json entries = viewer.call("GET", "/admin/v1/audit?limit=50").data()["entries"];
  ASSERT_EQ(entries.size(), writes.size() + 1) << entries.dump();
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const json& entry = entries[writes.size() - 1 - i];  // newest first
    EXPECT_EQ(entry["action"], writes[i].first);
    EXPECT_EQ(entry["request_id"], writes[i].second);
    EXPECT_EQ(entry["target"], "merchant:" + merchant_id);
    EXPECT_TRUE(entry["operator_id"].get<std::string>().starts_with("op_"));
    EXPECT_EQ(entry.dump().find("sk_"), std::string::npos) << "the audit log never holds a secret";
  }
  EXPECT_EQ(entries[3]["before"]["enabled"], true);
  EXPECT_EQ(entries[3]["after"]["enabled"], false);
  EXPECT_EQ(entries[0]["after"]["webhook_secret_version"], 2);
  EXPECT_EQ(viewer.call("GET", "/admin/v1/channel-accounts").status, 200);
}

TEST_F(Credentials, NoSecretEverReachesTheDatabaseFileOrALogLine) {
  std::filesystem::create_directories(data_dir());
  const std::string admin_key = create_operator_key(data_dir(), "admin");
  start("[store]\ncheckpoint_wal_pages = 16\n");
  OperatorClient admin(gateway_->endpoint(), admin_key);
  std::vector<std::string> secrets = {admin_key};
  const json demo = json::parse(read_text(data_dir() + "/demo-merchant.json"));
  secrets.push_back(demo["secret"]);
  secrets.push_back(demo["webhook_secret"]);
  auto created = admin.call("POST", "/admin/v1/merchants", R"({"name":"Secretive"})");
  ASSERT_EQ(created.status, 201);
  const std::string merchant_id = created.data()["merchant_id"];
  secrets.push_back(created.data()["secret"]);
  secrets.push_back(created.data()["webhook_secret"]);
  auto rotated = admin.call("POST", "/admin/v1/merchants/" + merchant_id + "/rotate-secret");
  secrets.push_back(rotated.data()["secret"]);
  // The new merchant works with its rotated secret; failed signatures are logged without secrets too.
  MerchantClient rotated_client(gateway_->endpoint(), {merchant_id, rotated.data()["secret"]});
  EXPECT_EQ(rotated_client.post("/api/v1/orders", order_body("secret-1").dump()).status, 201);
  MerchantClient stale_client(gateway_->endpoint(), {merchant_id, created.data()["secret"]});
  EXPECT_EQ(stale_client.post("/api/v1/orders", order_body("secret-2").dump()).code(), "SIGNATURE_INVALID");
  EXPECT_EQ(gateway_->terminate(), 0);

  std::string stored;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir())) {
    const std::string name = entry.path().filename();
    if (name.starts_with("paygate.db")) stored += read_text(entry.path());
  }
  ASSERT_GT(stored.size(), 4096u);
  const std::string log = gateway_->log();
  ASSERT_FALSE(log.empty());
  for (const std::string& secret : secrets) {
    ASSERT_GT(secret.size(), 40u);
    EXPECT_EQ(stored.find(secret), std::string::npos) << "a secret is readable in the database files";
    EXPECT_EQ(stored.find(secret.substr(secret.size() - 24)), std::string::npos);
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("{")) {
        EXPECT_EQ(line.find(secret), std::string::npos) << "a JSON log line holds a secret";
      }
    }
  }
}

TEST_F(Credentials, SecretsStoredInPlainTextByAnOlderPaygateAreSealedAtStart) {
  start();
  EXPECT_EQ(gateway_->terminate(), 0);
  const json demo = json::parse(read_text(data_dir() + "/demo-merchant.json"));
  const std::string secret = demo["secret"];
  const std::string webhook_secret = demo["webhook_secret"];
  // As a paygate before sealing left it: the secrets in clear.
  const std::string sql = "UPDATE merchants SET secret = '" + secret + "', webhook_secret = '" +
                          webhook_secret + "' WHERE merchant_id = '" +
                          demo["merchant_id"].get<std::string>() + "';";
  ASSERT_EQ(std::system(("sqlite3 '" + data_dir() + "/paygate.db' \"" + sql + "\"").c_str()), 0);
  ASSERT_NE(read_text(data_dir() + "/paygate.db").find(secret), std::string::npos)
      << "the setup wrote plain text";
  gateway_->start();
  EXPECT_NE(gateway_->log().find("\"event\":\"store_secrets_sealed\",\"merchants\":1"), std::string::npos);
  EXPECT_EQ(merchant().post("/api/v1/orders", order_body("sealed-1").dump()).status, 201);
  EXPECT_EQ(gateway_->terminate(), 0);
  // Every stored secret is sealed now (the pages the plain text was written to are SQLite's to reuse).
  const std::string rows = data_dir() + "/rows.txt";
  ASSERT_EQ(std::system(("sqlite3 '" + data_dir() +
                         "/paygate.db' 'SELECT secret, webhook_secret FROM merchants' > '" + rows + "'")
                            .c_str()),
            0);
  const std::string stored = read_text(rows);
  EXPECT_EQ(stored.find(secret), std::string::npos) << stored;
  EXPECT_EQ(stored.find(webhook_secret), std::string::npos);
  EXPECT_EQ(stored.rfind("pgenc1:", 0), 0u) << stored;
  EXPECT_NE(stored.find("|pgenc1:"), std::string::npos) << stored;
}

TEST_F(Credentials, TheDataDirIs0700AndEveryFilePaygateWritesIs0600) {
  std::filesystem::create_directories(data_dir());
  std::filesystem::permissions(data_dir(), std::filesystem::perms::all);  // as an older paygate left it
  start("", {"--sandbox", "--sandbox-listen", "127.0.0.1:0"});
  EXPECT_EQ(merchant().post("/api/v1/orders", order_body("modes-1").dump()).status, 201);
  EXPECT_EQ(gateway_->terminate(), 0);
  ASSERT_EQ(
      run_paygate({"ledger", "export", "--data-dir", data_dir(), data_dir() + "/books.ledger"}).exit_code, 0);
  EXPECT_EQ(mode_of(data_dir()), 0700u);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir())) {
    const std::string path = entry.path();
    if (entry.is_directory()) {
      EXPECT_EQ(mode_of(path), 0700u) << path;
    } else if (entry.path().filename() != "serve.log") {  // the test harness writes that one
      EXPECT_EQ(mode_of(path), 0600u) << path;
      ++files;
    }
  }
  EXPECT_GE(files, 5) << "database, master key, demo credentials, sandbox keys, export";
  EXPECT_TRUE(std::filesystem::exists(data_dir() + "/master.key"));
}

TEST_F(Credentials, TheDemoMerchantExistsOnlyWhenAsked) {
  std::ofstream(dir_.path() + "/paygate.toml") << "";
  GatewayProcess production(data_dir(), {"--config", dir_.path() + "/paygate.toml"});
  production.set_environment({"PAYGATE_DEMO_ENABLED=0"});
  production.start();
  EXPECT_EQ(production.terminate(), 0);
  EXPECT_FALSE(std::filesystem::exists(data_dir() + "/demo-merchant.json"));
  const ProcessResult listed = run_paygate({"merchant", "list", "--data-dir", data_dir()});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(json::parse(listed.output.substr(listed.output.find('['))).size(), 0u);
  // Asked for by config: made once, its credentials on the terminal but in no JSON log line.
  start("[demo]\nenabled = true\n");
  const json demo = json::parse(read_text(data_dir() + "/demo-merchant.json"));
  std::istringstream lines(gateway_->log());
  bool shown = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(demo["secret"].get<std::string>()) == std::string::npos) continue;
    EXPECT_FALSE(line.starts_with("{")) << line;
    shown = true;
  }
  EXPECT_TRUE(shown) << "the demo credentials are shown once on the terminal";
}

TEST_F(Credentials, RotatingTheMasterKeyKeepsEverySecretReadableWhileTheGatewayRuns) {
  start();
  const std::string before = read_text(data_dir() + "/master.key");
  EXPECT_EQ(mode_of(data_dir() + "/master.key"), 0600u);
  EXPECT_EQ(merchant().post("/api/v1/orders", order_body("rotate-1").dump()).status, 201);
  const ProcessResult rotated = run_paygate({"secrets", "rotate-master-key", "--data-dir", data_dir()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  const json report = json::parse(rotated.output.substr(rotated.output.find('{')));
  EXPECT_GE(report["merchants_resealed"].get<int>(), 1);
  const std::string after = read_text(data_dir() + "/master.key");
  EXPECT_NE(after, before);
  EXPECT_NE(after.find(report["master_key_id"].get<std::string>()), std::string::npos);
  EXPECT_EQ(mode_of(data_dir() + "/master.key"), 0600u);
  // The running gateway reads secrets sealed under the new key (its cache expires within 10 s; a new
  // merchant is read fresh).
  EXPECT_EQ(
      run_paygate({"merchant", "create", "--data-dir", data_dir(), "--name", "After rotation"}).exit_code, 0);
  EXPECT_EQ(gateway_->terminate(), 0);
  gateway_->start();
  EXPECT_EQ(merchant().post("/api/v1/orders", order_body("rotate-2").dump()).status, 201)
      << "after a restart every secret opens with the new key alone";
}

}  // namespace
}  // namespace paygate::test
