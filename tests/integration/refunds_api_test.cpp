// Proves refunds end to end against the real binary and its Alipay sandbox: partial and multiple refunds
// settle through the channel and the ledger, out_refund_no is idempotent, concurrent refunds can never pass
// the paid amount, unclear channel answers leave refunds pending until the checker settles them, a channel
// refusal releases the reservation, and the exported journal agrees with `ledger` and `hledger`.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/integration/ledger_tools.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/integration/test_store.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class Refunds : public SandboxedGateway {
 protected:
  // Refunds whose channel answer was unclear are asked about again after 50 ms (then 100, 200, ...).
  void start_gateway() { start("", "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n"); }

  std::string paid_order(const std::string& out_trade_no, std::int64_t amount) {
    const json order = create_alipay_order(out_trade_no, amount);
    const std::string id = order["order_id"];
    EXPECT_EQ(sandbox_pay(id), 200);
    EXPECT_EQ(wait_for_status(id, "succeeded")["status"], "succeeded");
    return id;
  }

  ApiResponse refund(const std::string& order_id, const json& body) {
    return merchant().post("/api/v1/orders/" + order_id + "/refunds", body.dump());
  }

  json order(const std::string& order_id) { return merchant().get("/api/v1/orders/" + order_id).data(); }

  // Stops the gateway and checks the books offline: `paygate ledger verify`, and the exported journal
  // read by `ledger` and `hledger` equals the store's balances and sums to zero.
  void expect_sound_books() {
    ASSERT_EQ(gateway_->terminate(), 0);
    gateway_.reset();
    const std::string data_dir = dir_.path() + "/data";
    expect_books_sound(data_dir);
    const std::string journal = export_journal(data_dir);
    const Balances ours = stored_balances(data_dir);
    ASSERT_FALSE(ours.empty());
    EXPECT_EQ(ledger_tool_balances(journal), ours);
    std::int64_t hledger_total = -1;
    EXPECT_EQ(hledger_tool_balances(journal, hledger_total), nonzero(ours));
    EXPECT_EQ(hledger_total, 0);
  }
};

TEST_F(Refunds, PartialAndMultipleRefundsSettleThroughTheChannelAndTheLedger) {
  start_gateway();
  const std::string id = paid_order("refund-1", 10'001);
  EXPECT_EQ(merchant().get("/api/v1/balance").data()["payable"], 10'001 - 60);

  auto first = refund(id, {{"out_refund_no", "rf-1"}, {"amount", 3'333}, {"reason", "damaged"}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  EXPECT_EQ(first.data()["status"], "succeeded");
  EXPECT_EQ(first.data()["reason"], "damaged");
  const std::string first_id = first.data()["refund_id"];
  json after_first = order(id);
  EXPECT_EQ(after_first["status"], "partially_refunded");
  EXPECT_EQ(after_first["refunded_amount"], 3'333);
  EXPECT_EQ(after_first["refunding_amount"], 0);

  auto too_much = refund(id, {{"out_refund_no", "rf-2"}, {"amount", 6'669}});
  EXPECT_EQ(too_much.status, 422);
  EXPECT_EQ(too_much.code(), "REFUND_AMOUNT_EXCEEDED");
  EXPECT_NE(too_much.message().find("6668"), std::string::npos) << too_much.message();

  auto rest = refund(id, {{"out_refund_no", "rf-3"}, {"amount", 6'668}});
  ASSERT_EQ(rest.status, 201) << rest.raw.body;
  EXPECT_EQ(rest.data()["status"], "succeeded");
  EXPECT_EQ(order(id)["status"], "refunded");
  EXPECT_EQ(order(id)["refunded_amount"], 10'001);
  EXPECT_EQ(refund(id, {{"out_refund_no", "rf-4"}, {"amount", 1}}).code(), "ORDER_STATUS_INVALID");

  auto client = merchant();
  EXPECT_EQ(client.get("/api/v1/orders/" + id + "/refunds").data()["refunds"].size(), 2u);
  EXPECT_EQ(client.get("/api/v1/refunds/" + first_id).data()["amount"], 3'333);
  EXPECT_EQ(client.get("/api/v1/refunds?out_refund_no=rf-3").data()["amount"], 6'668);
  EXPECT_EQ(client.get("/api/v1/refunds?out_refund_no=rf-2").code(), "REFUND_NOT_FOUND")
      << "a refused refund leaves no trace";
  // Fully refunded: the merchant owes nothing and was given its fee back in proportion.
  const json balance = client.get("/api/v1/balance").data();
  EXPECT_EQ(balance["payable"], 0);
  EXPECT_EQ(balance["refunds_pending"], 0);
  const json refund_transfers =
      client.get("/api/v1/ledger/transfers?refund_id=" + first_id).data()["transfers"];
  ASSERT_EQ(refund_transfers.size(), 2u) << refund_transfers.dump();  // the refund, and our fee's share back
  EXPECT_EQ(refund_transfers[0]["code"], "refund");
  EXPECT_EQ(refund_transfers[0]["amount"], 3'333);
  EXPECT_EQ(refund_transfers[1]["code"], "fee_refund");
  EXPECT_EQ(refund_transfers[1]["amount"], 20);  // 60 × 3333 / 10001 = 19.996 -> 20, half up
  const json order_transfers = client.get("/api/v1/ledger/transfers?order_id=" + id).data()["transfers"];
  for (const json& transfer : order_transfers) {
    EXPECT_TRUE(transfer["debit_account"].get<std::string>().starts_with("liability:merchant_payable:") ||
                transfer["credit_account"].get<std::string>().starts_with("liability:merchant_payable:"))
        << "a merchant sees only its own side: " << transfer.dump();
  }
  EXPECT_EQ(order_transfers.size(), 6u);
  EXPECT_EQ(client.get("/api/v1/ledger/transfers").code(), "INVALID_PARAMETER");
  EXPECT_EQ(outbox_events(id, "refund.succeeded"), 2);
  expect_sound_books();
}

TEST_F(Refunds, OutRefundNoIsIdempotentAndBadRequestsChangeNothing) {
  start_gateway();
  const std::string id = paid_order("refund-idem-1", 5'000);
  const json body = {{"out_refund_no", "idem-1"}, {"amount", 1'000}};
  auto created = refund(id, body);
  ASSERT_EQ(created.status, 201) << created.raw.body;
  auto again = refund(id, body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.data()["refund_id"], created.data()["refund_id"]);
  auto changed = refund(id, {{"out_refund_no", "idem-1"}, {"amount", 1'001}});
  EXPECT_EQ(changed.status, 409);
  EXPECT_EQ(changed.code(), "DUPLICATE_OUT_REFUND_NO");

  const std::vector<std::pair<json, std::string>> bad = {
      {json{{"amount", 1}}, "out_refund_no"},
      {json{{"out_refund_no", "x y"}, {"amount", 1}}, "out_refund_no"},
      {json{{"out_refund_no", "bad-1"}}, "amount"},
      {json{{"out_refund_no", "bad-1"}, {"amount", 0}}, "amount"},
      {json{{"out_refund_no", "bad-1"}, {"amount", "100"}}, "amount"},
      {json{{"out_refund_no", "bad-1"}, {"amount", 1.5}}, "amount"},
      {json{{"out_refund_no", "bad-1"}, {"amount", 1}, {"reason", std::string(257, 'x')}}, "reason"},
      {json{{"out_refund_no", "bad-1"}, {"amount", 1}, {"notify_url", "ftp://x"}}, "notify_url"},
      {json{{"out_refund_no", "bad-1"}, {"amount", 1}, {"currency", "CNY"}}, "currency"},
  };
  for (const auto& [request, field] : bad) {
    auto response = refund(id, request);
    EXPECT_EQ(response.status, 400) << request.dump();
    EXPECT_EQ(response.message().rfind(field + ":", 0), 0u) << response.message();
  }
  EXPECT_EQ(merchant().post("/api/v1/orders/" + id + "/refunds", "{not json").code(), "INVALID_JSON");
  EXPECT_EQ(refund("20261122000000000000000000000", {{"out_refund_no", "ghost-1"}, {"amount", 1}}).code(),
            "ORDER_NOT_FOUND");
  const json pending = create_alipay_order("refund-unpaid-1", 500);
  EXPECT_EQ(refund(pending["order_id"], {{"out_refund_no", "unpaid-1"}, {"amount", 1}}).code(),
            "ORDER_STATUS_INVALID");
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id + "/refunds").data()["refunds"].size(), 1u);
  EXPECT_EQ(order(id)["refunded_amount"], 1'000);
  EXPECT_EQ(order(id)["refunding_amount"], 0);
  expect_sound_books();
}

TEST_F(Refunds, FiftyConcurrentRefundsNeverPassThePaidAmount) {
  start_gateway();
  const std::string id = paid_order("refund-race-1", 1'000);
  constexpr int kRequests = 50;
  std::atomic<int> created{0}, exceeded{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      MerchantClient client(gateway_->endpoint(), gateway_->demo_merchant());
      auto response =
          client.post("/api/v1/orders/" + id + "/refunds",
                      json{{"out_refund_no", "race-" + std::to_string(i)}, {"amount", 30}}.dump());
      if (response.status == 201) {
        ++created;
      } else if (response.code() == "REFUND_AMOUNT_EXCEEDED") {
        ++exceeded;
      } else {
        ++other;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 33) << "33 × 30 = 990 fits in 1000; a 34th would not";
  EXPECT_EQ(exceeded.load(), kRequests - 33);
  EXPECT_EQ(other.load(), 0);
  const json settled = order(id);
  EXPECT_EQ(settled["refunded_amount"].get<std::int64_t>() + settled["refunding_amount"].get<std::int64_t>(),
            990);
  expect_sound_books();
}

TEST_F(Refunds, UnclearChannelAnswersStayPendingUntilTheCheckerSettlesThem) {
  start_gateway();
  const std::string id = paid_order("refund-unknown-1", 2'000);
  ASSERT_EQ(sandbox_faults({{"error_rate", 1}}), 200);  // every call: ACQ.SYSTEM_ERROR
  auto pending = refund(id, {{"out_refund_no", "unknown-1"}, {"amount", 700}});
  ASSERT_EQ(pending.status, 201) << pending.raw.body;
  EXPECT_EQ(pending.data()["status"], "pending") << "an unclear answer is never a failure";
  const std::string refund_id = pending.data()["refund_id"];
  EXPECT_EQ(order(id)["refunding_amount"], 700);
  EXPECT_EQ(merchant().get("/api/v1/balance").data()["refunds_pending"], 700);
  // While the channel keeps failing, the checker keeps asking and the refund stays pending.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(merchant().get("/api/v1/refunds/" + refund_id).data()["status"], "pending");

  ASSERT_EQ(sandbox_faults({{"error_rate", 0}}), 200);
  EXPECT_EQ(wait_for_refund(refund_id, "succeeded")["status"], "succeeded");
  const json settled = order(id);
  EXPECT_EQ(settled["refunded_amount"], 700);
  EXPECT_EQ(settled["refunding_amount"], 0);
  EXPECT_EQ(settled["status"], "partially_refunded");
  expect_sound_books();
}

TEST_F(Refunds, AChannelRefusalFailsTheRefundAndReleasesTheReservation) {
  start_gateway();
  const std::string id = paid_order("refund-refused-1", 1'500);
  // The merchant refunds the whole trade at Alipay directly (its console), outside paygate.
  const json sandbox = json::parse(read_text(dir_.path() + "/data/sandbox/alipay.json"));
  const SystemClock clock;
  auto outside = sandbox_channel(sandbox, clock);
  Order trade;
  trade.order_id = OrderId{id};
  trade.amount = Money{1'500, Currency::kCny};
  ASSERT_TRUE(outside->refund(trade, "console-1", 1'500, "", "").ok());

  auto refused = refund(id, {{"out_refund_no", "refused-1"}, {"amount", 500}});
  ASSERT_EQ(refused.status, 201) << refused.raw.body;
  EXPECT_EQ(refused.data()["status"], "failed");
  EXPECT_EQ(refused.data()["failure"]["code"], "CHANNEL_REJECTED");
  EXPECT_NE(refused.data()["failure"]["message"].get<std::string>().find("REFUND_AMT"), std::string::npos)
      << refused.data().dump();
  const json after = order(id);
  EXPECT_EQ(after["status"], "succeeded");
  EXPECT_EQ(after["refunded_amount"], 0);
  EXPECT_EQ(after["refunding_amount"], 0) << "the reservation is released";
  EXPECT_EQ(outbox_events(id, "refund.failed"), 1);
  expect_sound_books();
}

}  // namespace
}  // namespace paygate::test
