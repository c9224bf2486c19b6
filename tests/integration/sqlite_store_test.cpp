// Proves the SQLite store on a real file: group commit isolates a failing command, transitions are
// compare-and-set through the domain table, the queue is bounded, idempotency claims lease and replay,
// and a drained store refuses new writes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <algorithm>
#include <fstream>
#include <future>
#include <thread>

#include "crypto/random_ids.h"
#include "infra/store/sqlite/group_commit_writer.h"
#include "infra/store/sqlite/migrations.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "infra/store/sqlite/wal_syncer.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite::SqliteStoreOptions options;
    options.path = dir_.path() + "/paygate.db";
    options.secrets = test_secret_box();
    options.limits = {64, 16};
    auto opened = sqlite::SqliteStore::open(options, metrics_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    auto merchant = await<Merchant>([&](auto done) {
      store_->create_merchant(Merchant{merchant_, "Shop", "sk_x", true, clock_.now_unix_ms()}, done);
    });
    ASSERT_TRUE(merchant.ok());
  }

  Order order(const std::string& out_trade_no, std::int64_t amount = 100) {
    Order o;
    o.order_id = new_order_id(clock_.now_unix_ms());
    o.merchant_id = merchant_;
    o.out_trade_no = out_trade_no;
    o.amount = Money{amount, Currency::kCny};
    o.subject = "s";
    o.version = 1;
    o.request_fingerprint = "fp-" + std::to_string(amount);
    return o;
  }

  Result<OrderEventOutcome> apply(const OrderId& id, OrderEvent event) {
    return await<OrderEventOutcome>([&](auto done) {
      store_->apply_order_event(OrderEventCommand{merchant_, id, event, clock_.now_unix_ms()}, done);
    });
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  MetricsRegistry metrics_;
  MerchantId merchant_{"mch_store"};
  std::unique_ptr<sqlite::SqliteStore> store_;
};

TEST_F(SqliteStoreTest, AFailingCommandFailsAloneInItsBatch) {
  // Queue many commands at once so they share batches; every third one conflicts.
  std::vector<std::future<Result<CreatedOrder>>> results;
  std::vector<std::shared_ptr<std::promise<Result<CreatedOrder>>>> promises;
  for (int i = 0; i < 60; ++i) {
    auto promise = std::make_shared<std::promise<Result<CreatedOrder>>>();
    results.push_back(promise->get_future());
    promises.push_back(promise);
    // Orders 0..19 are created; then each out_trade_no is sent again with a different amount (a conflict)
    // and with the same amount (a replay).
    const int n = i % 20;
    const std::int64_t amount = i < 40 ? 100 : 200;
    store_->create_order(order("batch-" + std::to_string(n), amount),
                         [promise](Result<CreatedOrder> r) { promise->set_value(std::move(r)); });
  }
  int created = 0, replayed = 0, conflicts = 0;
  for (auto& result : results) {
    auto r = result.get();
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kDuplicateOutTradeNo);
      ++conflicts;
    } else if (r->created) {
      ++created;
    } else {
      ++replayed;
    }
  }
  EXPECT_EQ(created, 20);
  EXPECT_EQ(replayed, 20);
  EXPECT_EQ(conflicts, 20);
  auto page = store_->list_orders(OrderQuery{merchant_, std::nullopt, std::nullopt, std::nullopt, 100});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->orders.size(), 20u);
  for (const Order& o : page->orders) EXPECT_EQ(o.amount.minor, 100);
}

TEST_F(SqliteStoreTest, TransitionsFollowTheTableWithCompareAndSet) {
  auto created = await<CreatedOrder>([&](auto done) { store_->create_order(order("cas-1"), done); });
  ASSERT_TRUE(created.ok());
  const OrderId id = created->order.order_id;
  auto paid = apply(id, OrderEvent::kPay);
  ASSERT_TRUE(paid.ok());
  EXPECT_TRUE(paid->changed);
  EXPECT_EQ(paid->order.status, OrderStatus::kSucceeded);
  EXPECT_EQ(paid->order.version, 2);
  auto duplicate = apply(id, OrderEvent::kPay);
  ASSERT_TRUE(duplicate.ok());
  EXPECT_FALSE(duplicate->changed) << "a duplicate payment notify changes nothing";
  EXPECT_EQ(duplicate->order.version, 2);
  auto close = apply(id, OrderEvent::kClose);
  ASSERT_FALSE(close.ok());
  EXPECT_EQ(close.error().code, ErrorCode::kOrderStatusInvalid);
  auto stored = store_->find_order(merchant_, id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, OrderStatus::kSucceeded);
  auto missing = apply(OrderId{"20260101000000000AAAAAAAAAAAA"}, OrderEvent::kClose);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kOrderNotFound);
  auto other = await<OrderEventOutcome>([&](auto done) {
    store_->apply_order_event(OrderEventCommand{MerchantId{"mch_other"}, id, OrderEvent::kClose, 0}, done);
  });
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kOrderNotFound)
      << "another merchant's order does not exist for it";
}

TEST_F(SqliteStoreTest, IdempotencyClaimsLeaseReplayAndRelease) {
  auto claim = [&](const std::string& key, const std::string& fingerprint) {
    return await<IdempotencyDecision>([&](auto done) {
      store_->claim_idempotency_key(IdempotencyClaim{merchant_, key, fingerprint, clock_.now_unix_ms(), 1000},
                                    done);
    });
  };
  EXPECT_EQ(claim("k1", "f1")->verdict, IdempotencyVerdict::kProceed);
  EXPECT_EQ(claim("k1", "f1")->verdict, IdempotencyVerdict::kInProgress);
  EXPECT_EQ(claim("k1", "f2")->verdict, IdempotencyVerdict::kFingerprintMismatch);
  clock_.advance_ms(1001);
  EXPECT_EQ(claim("k1", "f1")->verdict, IdempotencyVerdict::kProceed) << "a crashed holder's lease ran out";
  auto finished = await<bool>([&](auto done) {
    store_->finish_idempotency_key(IdempotencyResult{merchant_, "k1", 201, "{\"x\":1}", true}, done);
  });
  ASSERT_TRUE(finished.ok() && *finished);
  auto replay = claim("k1", "f1");
  EXPECT_EQ(replay->verdict, IdempotencyVerdict::kReplay);
  EXPECT_EQ(replay->status_code, 201);
  EXPECT_EQ(replay->response_body, "{\"x\":1}");
  EXPECT_EQ(claim("k2", "f").value().verdict, IdempotencyVerdict::kProceed);
  ASSERT_TRUE(await<bool>([&](auto done) {
                store_->finish_idempotency_key(IdempotencyResult{merchant_, "k2", 503, "", false}, done);
              }).ok());
  EXPECT_EQ(claim("k2", "other")->verdict, IdempotencyVerdict::kProceed) << "a released key is free again";
}

TEST_F(SqliteStoreTest, ADrainedStoreRefusesWritesAndKeepsWhatItAcknowledged) {
  auto created = await<CreatedOrder>([&](auto done) { store_->create_order(order("drain-1"), done); });
  ASSERT_TRUE(created.ok());
  store_->drain();
  auto refused = await<CreatedOrder>([&](auto done) { store_->create_order(order("drain-2"), done); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kShuttingDown);
  store_.reset();
  sqlite::SqliteStoreOptions options;
  options.path = dir_.path() + "/paygate.db";
  options.secrets = test_secret_box();
  auto reopened = sqlite::SqliteStore::open(options, metrics_, clock_);
  ASSERT_TRUE(reopened.ok());
  auto found = (*reopened)->find_order_by_out_trade_no(merchant_, "drain-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->order_id, created->order.order_id);
}

TEST_F(SqliteStoreTest, TheQueueIsBounded) {
  // Flood far beyond queue_max (64) from one thread faster than one writer can commit: some writes must be
  // refused with STORE_BUSY, and every write gets exactly one answer.
  constexpr int kWrites = 5000;
  std::atomic<int> answered{0}, busy{0};
  std::promise<void> all_answered;
  for (int i = 0; i < kWrites; ++i) {
    store_->create_order(order("flood-" + std::to_string(i)), [&](Result<CreatedOrder> r) {
      if (!r.ok() && r.error().code == ErrorCode::kStoreBusy) busy.fetch_add(1);
      if (answered.fetch_add(1) + 1 == kWrites) all_answered.set_value();
    });
  }
  all_answered.get_future().wait();
  EXPECT_GT(busy.load(), 0);
  EXPECT_EQ(answered.load(), kWrites);
}

// Drives the group-commit writer directly with commands over a scratch table, so a test decides which
// commands share a batch and how each one fails.
class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = std::make_unique<sqlite::Connection>(dir_.path() + "/writer.db", sqlite::OpenMode::kReadWrite);
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("CREATE TABLE rows (n INTEGER PRIMARY KEY)");
    db->exec("PRAGMA synchronous = NORMAL");
    writer_ =
        std::make_unique<sqlite::GroupCommitWriter>(std::move(db), sqlite::GroupCommitLimits{}, metrics_);
  }

  // Holds the writer inside a command until released, so everything submitted meanwhile forms one batch.
  void hold_writer() {
    auto held = std::make_shared<std::promise<void>>();
    auto inside = std::make_shared<std::promise<void>>();
    release_ = held;
    writer_->submit(std::make_unique<sqlite::TypedWrite<int>>(
        [held_future = held->get_future().share(), inside](sqlite::Connection&) -> Result<int> {
          inside->set_value();
          held_future.wait();
          return 0;
        },
        [](Result<int>) {}));
    inside->get_future().wait();
  }

  // A command that inserts row n, then (when fail is set) fails: before writing or after.
  enum class Fails { kNever, kBeforeWriting, kAfterWriting };
  std::future<Result<int>> insert(int n, Fails fails) {
    auto promise = std::make_shared<std::promise<Result<int>>>();
    auto future = promise->get_future();
    writer_->submit(std::make_unique<sqlite::TypedWrite<int>>(
        [n, fails](sqlite::Connection& db) -> Result<int> {
          if (fails == Fails::kBeforeWriting) return make_error(ErrorCode::kInvalidParameter, "refused");
          db.prepare("INSERT INTO rows (n) VALUES (?)").bind(1, std::int64_t{n}).run();
          if (fails == Fails::kAfterWriting) return make_error(ErrorCode::kInvalidParameter, "refused late");
          return n;
        },
        [promise](Result<int> r) { promise->set_value(std::move(r)); }));
    return future;
  }

  std::vector<std::int64_t> stored_rows() {
    sqlite::Connection reader(dir_.path() + "/writer.db", sqlite::OpenMode::kReadWrite);
    std::vector<std::int64_t> rows;
    auto select = reader.prepare("SELECT n FROM rows ORDER BY n");
    while (select.step()) rows.push_back(select.column_int64(0));
    return rows;
  }

  std::uint64_t reruns() { return metrics_.counter("paygate_store_batch_reruns_total", "").value(); }

  TempDir dir_;
  MetricsRegistry metrics_;
  std::unique_ptr<sqlite::GroupCommitWriter> writer_;
  std::shared_ptr<std::promise<void>> release_;
};

TEST_F(GroupCommitTest, ACommandThatFailsBeforeWritingIsLeftOutOfItsBatch) {
  hold_writer();
  std::vector<std::future<Result<int>>> results;
  for (int n = 1; n <= 9; ++n)
    results.push_back(insert(n, n % 3 == 0 ? Fails::kBeforeWriting : Fails::kNever));
  release_->set_value();
  for (int n = 1; n <= 9; ++n) EXPECT_EQ(results[n - 1].get().ok(), n % 3 != 0) << n;
  EXPECT_EQ(stored_rows(), (std::vector<std::int64_t>{1, 2, 4, 5, 7, 8}));
  EXPECT_EQ(reruns(), 0u);
}

TEST_F(GroupCommitTest, ACommandThatFailsAfterWritingIsUndoneAloneAndTheRestOfItsBatchCommits) {
  hold_writer();
  std::vector<std::future<Result<int>>> results;
  for (int n = 1; n <= 9; ++n) results.push_back(insert(n, n == 5 ? Fails::kAfterWriting : Fails::kNever));
  release_->set_value();
  for (int n = 1; n <= 9; ++n) {
    auto result = results[n - 1].get();
    ASSERT_EQ(result.ok(), n != 5) << n;
    if (result.ok()) {
      EXPECT_EQ(*result, n);
    }
  }
  EXPECT_EQ(stored_rows(), (std::vector<std::int64_t>{1, 2, 3, 4, 6, 7, 8, 9}));
  EXPECT_EQ(reruns(), 1u);
}

// The opcodes SQLite compiles a statement to (EXPLAIN), so a test can see how a write is carried out.
std::vector<std::string> opcodes(sqlite::Connection& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const std::string explain = "EXPLAIN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(db.handle(), explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db.handle()) << " in " << sql;
  std::vector<std::string> out;
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
  sqlite3_finalize(stmt);
  return out;
}

// A batch commits before it is durable; its commands complete only once the WAL holding it is fsynced.
TEST_F(GroupCommitTest, ABatchCompletesAfterTheFsyncThatMadeItDurable) {
  auto stored = insert(1, Fails::kNever);
  EXPECT_EQ(stored.get().value(), 1);
  EXPECT_GE(metrics_.histogram("paygate_store_wal_fsync_seconds", "", {}, {}).count(), 1u);
  EXPECT_EQ(stored_rows(), (std::vector<std::int64_t>{1}));
}

TEST_F(GroupCommitTest, WaitingUntilDurableCoversEveryBatchAReadCouldHaveSeen) {
  hold_writer();
  auto stored = insert(7, Fails::kNever);
  release_->set_value();
  // Once the row is visible, a wait that starts afterwards returns only when its batch is durable.
  while (stored_rows().empty()) std::this_thread::yield();
  writer_->wait_until_durable();
  EXPECT_GE(metrics_.histogram("paygate_store_wal_fsync_seconds", "", {}, {}).count(), 1u);
  EXPECT_EQ(stored.get().value(), 7);
}

// The syncer alone: batches complete in the order handed over, failed ones with committed=false, and one
// fdatasync covers every committed batch handed over before it started.
class RecordingCommand final : public sqlite::WriteCommand {
 public:
  RecordingCommand(int n, std::vector<std::pair<int, bool>>& completed) : n_(n), completed_(completed) {}
  bool apply(sqlite::Connection&) override { return true; }
  void complete(bool committed) override { completed_.emplace_back(n_, committed); }
  void refuse(Error) override {}

 private:
  int n_;
  std::vector<std::pair<int, bool>>& completed_;
};

TEST(WalSyncerTest, CompletesBatchesInOrderAfterSyncingTheLog) {
  TempDir dir;
  MetricsRegistry metrics;
  const std::string wal = dir.path() + "/db-wal";
  { std::ofstream(wal) << "frames"; }
  std::vector<std::pair<int, bool>> completed;
  sqlite::WalSyncer syncer(wal, metrics);
  for (int n = 1; n <= 4; ++n) {
    sqlite::CommandBatch batch;
    batch.push_back(std::make_unique<RecordingCommand>(n, completed));
    syncer.hand_over(static_cast<std::uint64_t>(n), std::move(batch), n != 3);
  }
  syncer.wait_until_durable(4);
  syncer.stop();
  EXPECT_EQ(completed, (std::vector<std::pair<int, bool>>{{1, true}, {2, true}, {3, false}, {4, true}}));
  auto& per_fsync = metrics.histogram("paygate_store_batches_per_fsync", "", {}, {});
  EXPECT_EQ(per_fsync.sum(), 3.0);  // the failed batch needed no fsync
  EXPECT_GE(per_fsync.count(), 1u);
}

TEST(SqliteSchemaTest, RowWritesCheckTheirStatusWithoutBuildingATemporaryTable) {
  // A CHECK (x IN (three or more constants)) builds and frees an ephemeral b-tree on every row written; the
  // rows every payment writes must be checked by plain comparisons instead (migration 0008).
  TempDir dir;
  sqlite::Connection db(dir.path() + "/paygate.db", sqlite::OpenMode::kReadWrite);
  sqlite::migrate(db, 1'700'000'000'000);
  const std::vector<std::string> writes = {
      "UPDATE orders SET status = 'succeeded', version = version + 1 WHERE order_id = 'o' AND status = "
      "'pending'",
      "INSERT INTO orders (order_id, merchant_id, out_trade_no, amount_minor, currency, subject, status, "
      "version,"
      " created_at_ms, updated_at_ms, expires_at_ms, request_fingerprint)"
      " VALUES ('o', 'm', 't', 1, 'CNY', 's', 'pending', 1, 0, 0, 0, 'f')",
      "UPDATE refunds SET status = 'succeeded' WHERE refund_id = 'r'",
      "UPDATE outbox_events SET status = 'delivered' WHERE event_id = 'e'",
      "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms)"
      " VALUES ('e', 'm', 'o', 't', '{}', 0)",
      "INSERT INTO ledger_accounts (code, type, currency, created_at_ms) VALUES ('a', 'asset', 'CNY', 0)",
  };
  for (const auto& sql : writes) {
    const auto ops = opcodes(db, sql);
    EXPECT_FALSE(ops.empty()) << sql;
    EXPECT_EQ(std::count(ops.begin(), ops.end(), "OpenEphemeral"), 0) << sql;
  }
  // The rewritten checks still refuse what they refused before, and still take what they took.
  db.exec(
      "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms)"
      " VALUES ('e1', 'm', 'o', 't', '{}', 0)");
  EXPECT_THROW(db.exec("UPDATE outbox_events SET status = 'lost' WHERE event_id = 'e1'"),
               sqlite::SqliteError);
  for (const char* status : {"delivered", "dead", "no_endpoint", "pending"}) {
    db.prepare("UPDATE outbox_events SET status = ? WHERE event_id = 'e1'").bind(1, status).run();
    EXPECT_EQ(db.changes(), 1) << status;
  }
  EXPECT_THROW(db.exec("INSERT INTO ledger_accounts (code, type, currency, created_at_ms) VALUES ('x', "
                       "'equity', 'CNY', 0)"),
               sqlite::SqliteError);
}

}  // namespace
}  // namespace paygate::test
