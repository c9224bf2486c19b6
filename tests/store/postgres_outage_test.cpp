// PostgreSQL stopped under a running gateway: while it is down every store call answers 503
// STORE_UNAVAILABLE at once (no hang, nothing half-written); when it is back the gateway recovers by itself
// (its pool reopens connections), and every order it acknowledged is there with sound books.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "tests/integration/harness.h"
#include "tests/integration/test_store.h"

namespace paygate::test {
namespace {

nlohmann::json order(const std::string& out_trade_no) {
  return {{"out_trade_no", out_trade_no}, {"amount", 990}, {"currency", "CNY"}, {"subject", "outage"}};
}

TEST(PostgresOutage, NodesAnswerStoreUnavailableWhileItIsDownAndRecoverByThemselves) {
  ASSERT_NE(std::getenv("PAYGATE_TEST_POSTGRES_DATA"), nullptr) << "run under tests/support/with_postgres.sh";
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  GatewayProcess gateway(data_dir);
  gateway.set_environment(postgres_environment(data_dir));
  gateway.start();
  MerchantClient client(gateway.endpoint(), gateway.demo_merchant());
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 5; ++i) {
    auto created = client.post("/api/v1/orders", order("before-" + std::to_string(i)).dump());
    ASSERT_EQ(created.status, 201) << created.body.dump();
    acknowledged.push_back(created.data()["order_id"]);
  }

  ASSERT_EQ(postgres_ctl("stop"), 0);
  const auto asked = std::chrono::steady_clock::now();
  auto refused = client.post("/api/v1/orders", order("during").dump());
  EXPECT_EQ(refused.status, 503) << refused.body.dump();
  EXPECT_EQ(refused.code(), "STORE_UNAVAILABLE");
  auto read = client.get("/api/v1/orders/" + acknowledged.front());
  EXPECT_EQ(read.status, 503) << read.body.dump();
  EXPECT_EQ(read.code(), "STORE_UNAVAILABLE");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5)) << "answered without hanging";

  ASSERT_EQ(postgres_ctl("start"), 0);
  // The gateway is not restarted: waits (bounded) for the condition "a create succeeds again".
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  for (int i = 0; status != 201 && std::chrono::steady_clock::now() < deadline; ++i) {
    auto created = client.post("/api/v1/orders", order("after-" + std::to_string(i)).dump());
    status = created.status;
    if (status == 201) {
      acknowledged.push_back(created.data()["order_id"]);
    } else {
      EXPECT_EQ(created.code(), "STORE_UNAVAILABLE") << created.body.dump();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_EQ(status, 201) << "the gateway did not recover within 30 s";
  auto during = client.get("/api/v1/orders?out_trade_no=during");
  EXPECT_EQ(during.status, 404) << "the refused create wrote nothing: " << during.body.dump();
  for (const std::string& id : acknowledged) {
    auto found = client.get("/api/v1/orders/" + id);
    EXPECT_EQ(found.status, 200) << id << " was lost";
  }
  EXPECT_EQ(gateway.terminate(), 0);
  const ProcessResult verify =
      run_paygate({"ledger", "verify", "--data-dir", data_dir}, postgres_environment(data_dir));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace paygate::test
