// Proves configuration is validated: defaults, every kind of bad key or value named, env and listen parsing.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/config.h"

namespace paygate {
namespace {

class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ =
        std::filesystem::temp_directory_path() / ("paygate-config-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ConfigFile, NoFileMeansDefaults) {
  auto config = load_config("");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->listen_address(), "127.0.0.1:8080");
  EXPECT_EQ(config->server.body_bytes_max, 64u * 1024);
  EXPECT_EQ(config->sqlite_path(), "./var/paygate.db");
  EXPECT_EQ(config->public_base_url(), "http://127.0.0.1:8080");
}

TEST_F(ConfigFile, ReadsEverySection) {
  auto config = load_config(write(R"(
[server]
listen = "0.0.0.0:9000"
public_url = "https://pay.example.com"
threads = 4
body_bytes_max = 131072
access_log = false
[store]
data_dir = "/srv/paygate"
write_batch_max = 256
[auth]
timestamp_window_s = 120
[orders]
expire_seconds_default = 900
[log]
level = "warn"
)"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->listen_address(), "0.0.0.0:9000");
  EXPECT_EQ(config->public_base_url(), "https://pay.example.com");
  EXPECT_EQ(config->server.threads, 4);
  EXPECT_FALSE(config->server.access_log);
  EXPECT_EQ(config->sqlite_path(), "/srv/paygate/paygate.db");
  EXPECT_EQ(config->store.write_batch_max, 256u);
  EXPECT_EQ(config->auth.timestamp_window_s, 120u);
  EXPECT_EQ(config->orders.expire_seconds_default, 900u);
}

TEST_F(ConfigFile, ErrorsNameTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[server]\nlisen = \"x\"\n", "server.lisen: unknown key"},
      {"[srv]\n", "srv: unknown section"},
      {"server = 1\n", "server: must be a table"},
      {"[server]\nthreads = \"two\"\n", "server.threads: must be an integer"},
      {"[server]\nthreads = 1000\n", "server.threads: must be between 0 and 256"},
      {"[server]\naccess_log = 1\n", "server.access_log: must be true or false"},
      {"[server]\nlisten = \"localhost\"\n", "server.listen:"},
      {"[server]\nlisten = \"127.0.0.1:99999\"\n", "server.listen:"},
      {"[server]\npublic_url = \"ftp://x\"\n", "server.public_url:"},
      {"[log]\nlevel = \"loud\"\n", "log.level:"},
      {"[store]\nwriter_queue_max = 10\nwrite_batch_max = 20\n", "store.write_batch_max:"},
      {"[store]\ncheckpoint_wal_pages = 8\n", "store.checkpoint_wal_pages: must be between 16"},
      {"[orders]\nexpire_seconds_default = 10\n", "orders.expire_seconds_default: must be between 60"},
      {"[store]\nbackend = \"mysql\"\n", "store.backend: must be \"sqlite\" or \"postgres\""},
      {"[store]\nbackend = \"postgres\"\n", "store.url: must be set"},
      {"[store]\nbackend = \"postgres\"\nurl = \"mysql://h/db\"\n",
       "store.url: must start with postgresql://"},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://u:pw@h/db\"\n",
       "store.url: must not hold a password"},
      {"[store]\nbackend = \"postgres\"\nurl = \"postgresql://u@h/db?password=pw\"\n",
       "store.url: must not hold a password"},
      {"[store]\nwriters = 0\n", "store.writers: must be between 1"},
      {"[secrets]\nmaster_key = \"x\"\n", "secrets.master_key: unknown key"},
  };
  for (const auto& [text, expected] : cases) {
    auto config = load_config(write(text));
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.error().message.rfind(expected, 0), 0u) << config.error().message;
  }
  auto syntax = load_config(write("[server\n"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find(":1:"), std::string::npos) << syntax.error().message;
}

TEST_F(ConfigFile, APostgresStoreNamesItsServersButNeverAPassword) {
  auto config = load_config(
      write("[store]\nbackend = \"postgres\"\n"
            "url = \"postgresql://paygate@db1:5432,db2:5432/paygate?target_session_attrs=read-write\"\n"
            "password_file = \"/run/secrets/pg\"\nwriters = 16\n[secrets]\nmaster_key_file = "
            "\"/run/secrets/mk\"\n"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->store.backend, "postgres");
  EXPECT_EQ(config->store.writers, 16u);
  EXPECT_EQ(config->store.password_file, "/run/secrets/pg");
  EXPECT_EQ(config->secrets.master_key_file, "/run/secrets/mk");
  auto plain = load_config("");
  ASSERT_TRUE(plain.ok());
  ::setenv("PAYGATE_STORE_BACKEND", "postgres", 1);
  ::setenv("PAYGATE_STORE_URL", "postgresql://paygate@127.0.0.1:5432/paygate", 1);
  ASSERT_TRUE(apply_environment(*plain).ok());
  ::setenv("PAYGATE_STORE_BACKEND", "oracle", 1);
  auto refused = apply_environment(*plain);
  ::unsetenv("PAYGATE_STORE_BACKEND");
  ::unsetenv("PAYGATE_STORE_URL");
  EXPECT_EQ(plain->store.backend, "postgres");
  EXPECT_TRUE(validate(*plain).ok());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message.rfind("PAYGATE_STORE_BACKEND", 0), 0u);
}

TEST_F(ConfigFile, EnvironmentOverridesTheFile) {
  auto config = load_config(write("[server]\nlisten = \"127.0.0.1:1000\"\n"));
  ASSERT_TRUE(config.ok());
  ::setenv("PAYGATE_LISTEN", "127.0.0.1:2000", 1);
  ::setenv("PAYGATE_DATA_DIR", "/tmp/elsewhere", 1);
  ASSERT_TRUE(apply_environment(*config).ok());
  ::unsetenv("PAYGATE_LISTEN");
  ::unsetenv("PAYGATE_DATA_DIR");
  EXPECT_EQ(config->listen_address(), "127.0.0.1:2000");
  EXPECT_EQ(config->store.data_dir, "/tmp/elsewhere");
  ::setenv("PAYGATE_LISTEN", "nonsense", 1);
  auto status = apply_environment(*config);
  ::unsetenv("PAYGATE_LISTEN");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.rfind("PAYGATE_LISTEN", 0), 0u);
}

TEST_F(ConfigFile, LedgerAndRefundKeysAreChecked) {
  auto config =
      load_config(write("[ledger]\nmerchant_fee_bps = 25\nfee_rounding = \"half_even\"\nrefund_fees = false\n"
                        "[refunds]\nfirst_check_ms = 100\n"
                        "[[channels.alipay]]\nid = \"a\"\napp_id = \"1\"\napp_private_key_file = \"k\"\n"
                        "alipay_public_key_file = \"p\"\ncost_rate_bps = 38\n"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->ledger.merchant_fee_bps, 25);
  EXPECT_EQ(config->ledger.fee_rounding, "half_even");
  EXPECT_FALSE(config->ledger.refund_fees);
  EXPECT_EQ(config->refunds.first_check_ms, 100u);
  EXPECT_EQ(config->channels.alipay.at(0).cost_rate_bps, 38);
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[ledger]\nfee_rounding = \"up\"\n", "ledger.fee_rounding"},
           {"[ledger]\nmerchant_fee_bps = 10001\n", "ledger.merchant_fee_bps"},
           {"[ledger]\nrefund_fee = true\n", "ledger.refund_fee"},
           {"[refunds]\nfirst_check_ms = 1\n", "refunds.first_check_ms"}}) {
    auto bad = load_config(write(text));
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().message.rfind(key + ":", 0), 0u) << bad.error().message;
  }
}

}  // namespace
}  // namespace paygate
