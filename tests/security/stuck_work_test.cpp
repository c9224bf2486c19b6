// Proves no work gets stuck and no wait is unbounded: a channel call that throws still completes its caller
// and releases the scheduler's claim (the order is asked about again on schedule); a handler that never
// answers gets 504 HANDLER_TIMEOUT at [http] handler_timeout_ms; a read that finds every reader busy answers
// STORE_BUSY at [store] reader_wait_ms; and ambiguous HTTP framing is answered 400 and the connection closed.
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "app/fee_policy.h"
#include "app/order_events.h"
#include "app/order_scheduler.h"
#include "app/orders.h"
#include "app/refunds.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/security/security_support.h"

namespace paygate::test {
namespace {

using nlohmann::json;

// An adapter with a bug: every call throws. It counts the queries the scheduler sends it.
class ThrowingChannel final : public ChannelGateway {
 public:
  Channel channel() const override { return Channel::kAlipay; }
  const std::string& account_id() const override { return id_; }
  Result<ChannelPayment> create_payment(const Order&, const std::string&) override {
    throw std::runtime_error("bug");
  }
  Result<ChannelTrade> query(const Order&) override {
    {
      std::lock_guard lock(mutex_);
      ++queries_;
    }
    asked_.notify_all();
    throw std::runtime_error("bug");
  }
  Status close(const Order&) override { throw std::runtime_error("bug"); }
  Result<ChannelRefund> refund(const Order&, const std::string&, std::int64_t, const std::string&,
                               const std::string&) override {
    throw std::runtime_error("bug");
  }
  Result<ChannelRefund> refund_query(const Order&, const std::string&) override {
    throw std::runtime_error("bug");
  }
  Result<std::string> download_bill(const std::string&) override { throw std::runtime_error("bug"); }
  Result<ChannelNotify> verify_notify(const NotifyRequest&) override { throw std::runtime_error("bug"); }
  NotifyReply notify_reply(bool, std::string_view) const override { return {}; }

  // Waits for the condition "asked at least n times", bounded; returns how many times it was asked.
  int wait_for_queries(int n, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    asked_.wait_for(lock, timeout, [&] { return queries_ >= n; });
    return queries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable asked_;
  int queries_ = 0;
  std::string id_ = "alipay-buggy";
};

std::unique_ptr<sqlite::SqliteStore> open_store(const std::string& dir, MetricsRegistry& metrics,
                                                const Clock& clock, std::uint32_t readers = 4,
                                                std::uint32_t reader_wait_ms = 2'000) {
  sqlite::SqliteStoreOptions options;
  options.path = dir + "/paygate.db";
  options.secrets = test_secret_box();
  options.readers = readers;
  options.reader_wait_ms = reader_wait_ms;
  return sqlite::SqliteStore::open(options, metrics, clock).value();
}

TEST(StuckWork, AThrowingChannelCallCompletesItsCallerAndTheOrderIsAskedAgainOnSchedule) {
  TempDir dir;
  MetricsRegistry metrics;
  SystemClock clock;
  auto store = open_store(dir.path(), metrics, clock);
  const Merchant merchant{MerchantId{"mch_stuck"}, "Stuck",      "sk_stuck", true,
                          clock.now_unix_ms(),     "whsec_stuck"};
  ASSERT_TRUE(await<Merchant>([&](auto done) { store->create_merchant(merchant, done); }).ok());

  auto channel = std::make_unique<ThrowingChannel>();
  ThrowingChannel& buggy = *channel;
  ChannelRegistry channels;
  channels.add(std::move(channel));
  WorkerPool workers("test-channel", 2, 64);
  OrderEventHub events;
  Config config;
  config.orders.query_first_ms = 10;
  config.orders.scheduler_interval_ms = 10;
  const FeePolicy fees(config);
  OrderService orders(*store, clock, config.orders, channels, workers, events, fees, "http://127.0.0.1:9");
  RefundService refunds(*store, clock, config.refunds, channels, workers, events, "http://127.0.0.1:9");

  // The create's channel call throws: the merchant still gets an answer (not a hung request).
  CreateOrderInput input;
  input.out_trade_no = "stuck-1";
  input.amount_minor = 500;
  input.subject = "Tea";
  input.channel = "alipay";
  input.method = "qr";
  std::promise<Result<CreatedOrder>> created;
  orders.create(merchant.merchant_id, input,
                [&created](Result<CreatedOrder> r) { created.set_value(std::move(r)); });
  auto answer = created.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "the caller was never completed";
  const auto result = answer.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);

  // The order is pending at an unknown channel state: the scheduler queries it, the query throws, and the
  // claim is released so the next due query goes out again.
  OrderScheduler scheduler(*store, orders, refunds, clock, config.orders);
  scheduler.start();
  const int queries = buggy.wait_for_queries(3, std::chrono::seconds(10));
  scheduler.stop();
  workers.stop();
  EXPECT_GE(queries, 3) << "a throwing query left the order claimed";
  store->drain();
}

TEST(StuckWork, AReadThatFindsEveryReaderBusyAnswersStoreBusyInTime) {
  TempDir dir;
  MetricsRegistry metrics;
  SystemClock clock;
  auto store = open_store(dir.path(), metrics, clock, /*readers=*/1, /*reader_wait_ms=*/100);
  ASSERT_TRUE(await<std::int64_t>([&](auto done) {
                store->post_transfers(
                    LedgerPostingCommand{{ledger::Transfer{"asset:test_funding", "liability:wallet:payer-0",
                                                           Money{100, Currency::kCny},
                                                           ledger::TransferCode::kPayment, "fund"}},
                                         clock.now_unix_ms()},
                    done);
              }).ok());
  std::promise<void> inside;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::thread holder([&] {
    (void)store->for_each_transfer([&](const StoredTransfer&) {
      inside.set_value();
      released.wait();  // holds the only reader connection
    });
  });
  inside.get_future().wait();
  const auto started = std::chrono::steady_clock::now();
  auto busy = store->find_merchant(MerchantId{"mch_any"});
  const auto waited = std::chrono::steady_clock::now() - started;
  release.set_value();
  holder.join();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kStoreBusy);
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::milliseconds(2'000));
  EXPECT_TRUE(store->find_merchant(MerchantId{"mch_any"}).ok()) << "a free reader answers again";
  store->drain();
}

class HandlerDeadline : public SandboxedGateway {};

TEST_F(HandlerDeadline, AHandlerThatDoesNotAnswerInTimeGets504) {
  start("", "[http]\nhandler_timeout_ms = 300\n");
  ASSERT_EQ(sandbox_faults({{"latency_ms", 3000}}), 200);
  json body = order_body("slow-1");
  body["channel"] = "alipay";
  body["method"] = "qr";
  const auto started = std::chrono::steady_clock::now();
  auto answer = merchant().post("/api/v1/orders", body.dump());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.status, 504) << answer.raw.body;
  EXPECT_EQ(answer.code(), "HANDLER_TIMEOUT");
  EXPECT_LT(waited, std::chrono::milliseconds(2'500)) << "the channel takes 3 s";
  ASSERT_EQ(sandbox_faults({{"latency_ms", 0}}), 200);
  // The order was stored before the channel call and is found by its number: the retry is safe.
  EXPECT_EQ(merchant().get("/api/v1/orders?out_trade_no=slow-1").status, 200);
}

// Sends raw bytes and reads until the server closes the connection.
std::string exchange_raw(const http::Endpoint& endpoint, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  ::inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "";
  (void)::write(fd, bytes.data(), bytes.size());
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
  ::close(fd);
  return answer;
}

class Framing : public SecuredGateway {};

TEST_F(Framing, AmbiguousFramingIsAnswered400AndTheConnectionClosed) {
  start();
  for (const std::string& request :
       {std::string(
            "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"),
        std::string(
            "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}"),
        std::string("POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n"
                    "0\r\n\r\n"),
        std::string("POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                    "chunked\r\nContent-Length: 5\r\n\r\n"
                    "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")}) {
    const std::string answer = exchange_raw(gateway_->endpoint(), request);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << "nothing after the 400 was read as a request";
  }
}

}  // namespace
}  // namespace paygate::test
