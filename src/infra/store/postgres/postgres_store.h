// The Store on PostgreSQL, for several nodes sharing one database: every write command is one transaction
// on a connection of its own, run by a pool of writer threads (PostgreSQL's own group commit batches their
// WAL flushes); a command completes after COMMIT returned, so nothing is acknowledged before it is durable.
// Uniqueness and compare-and-set are SQL's; row locks serialise commands on one order, and a transaction
// that lost a race (serialization failure, deadlock, a key taken concurrently) is run again.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/time.h"
#include "crypto/secret_box.h"
#include "infra/store/postgres/connection_pool.h"
#include "infra/store/postgres/ledger_postings.h"
#include "infra/store/postgres/migrations.h"
#include "infra/store/postgres/write_command.h"
#include "ports/store.h"

namespace paygate::postgres {

// What every transaction reports: its time to COMMIT, and the races and failures on the way.
struct TransactionMetrics {
  explicit TransactionMetrics(MetricsRegistry& metrics);
  Histogram& commit_seconds;
  Gauge& queue_depth;
  Counter& refused_busy;
  Counter& commit_failures;
  Counter& retries;
};

struct PostgresStoreOptions {
  ConnectOptions connect;
  std::uint32_t writers = 8;                // write commands in flight at once (one connection each)
  std::uint32_t readers = 8;                // reader connections
  std::uint32_t writer_queue_max = 65'536;  // queued write commands; beyond it writes get STORE_BUSY
  // Commands a writer takes from the queue into one transaction (one WAL flush for all of them), each in a
  // savepoint so that one that fails is undone alone. 1 = a transaction per command.
  std::uint32_t batch_max = 64;
  std::uint32_t reader_wait_ms = 2'000;     // a read waits this long for a free connection, then STORE_BUSY
  std::uint32_t roll_up_interval_ms = 250;  // how often ledger deltas are folded into account rows
  bool verify_ledger_each_command = false;  // as SqliteStoreOptions: tests and debugging only
  std::shared_ptr<const crypto::SecretBox> secrets;
};

class PostgresStore final : public Store {
 public:
  // Connects, applies pending migrations, seals plain-text secrets and starts the writers.
  static Result<std::unique_ptr<PostgresStore>> open(const PostgresStoreOptions& options,
                                                     MetricsRegistry& metrics, const Clock& clock);
  static Result<MigrationReport> migrate_only(const ConnectOptions& connect, const Clock& clock);

  ~PostgresStore() override;

  void create_merchant(Merchant merchant, Completion<Merchant> done) override;
  Result<std::optional<Merchant>> find_merchant(const MerchantId& merchant_id) override;
  Result<std::vector<Merchant>> list_merchants() override;
  void set_webhook_secret(MerchantId merchant_id, std::string secret, Completion<Merchant> done) override;
  void create_merchant_audited(Merchant merchant, AuditEntry audit, Completion<Merchant> done) override;
  void change_merchant(MerchantChange change, AuditEntry audit, Completion<Merchant> done) override;
  void reseal_secrets(Completion<std::int64_t> done) override;
  Result<std::vector<std::string>> list_sealing_key_ids() override;
  void create_operator(Operator op, std::string key_sha256_hex, Completion<Operator> done) override;
  Result<std::optional<Operator>> find_operator_by_key(const std::string& key_sha256_hex) override;
  Result<AuditPage> list_audit(const AuditQuery& query) override;

  void create_order(Order order, Completion<CreatedOrder> done) override;
  void apply_order_event(OrderEventCommand command, Completion<OrderEventOutcome> done) override;
  Result<std::optional<Order>> find_order(const MerchantId& merchant_id, const OrderId& order_id) override;
  Result<std::optional<Order>> find_order_by_out_trade_no(const MerchantId& merchant_id,
                                                          const std::string& out_trade_no) override;
  Result<OrderPage> list_orders(const OrderQuery& query) override;
  Result<std::optional<Order>> find_order_by_id(const OrderId& order_id) override;
  void claim_expired_orders(JobClaim claim, Completion<std::vector<Order>> done) override;
  void claim_orders_to_query(JobClaim claim, Completion<std::vector<Order>> done) override;
  void note_order_query(OrderQueryCheck check, Completion<Order> done) override;
  Result<std::vector<Order>> list_late_payments_to_refund(std::uint32_t limit) override;
  void attach_payment(PaymentAttachment attachment, Completion<Order> done) override;
  void choose_channel(OrderId order_id, Channel channel, std::string method, std::string account_id,
                      Completion<Order> done) override;
  void apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) override;

  void create_refund(Refund refund, Completion<CreatedRefund> done) override;
  void settle_refund(RefundSettlement settlement, Completion<RefundOutcome> done) override;
  void note_refund_check(RefundCheck check, Completion<Refund> done) override;
  Result<std::optional<Refund>> find_refund_by_id(const RefundId& refund_id) override;
  Result<std::optional<Refund>> find_refund(const MerchantId& merchant_id,
                                            const RefundId& refund_id) override;
  Result<std::optional<Refund>> find_refund_by_out_refund_no(const MerchantId& merchant_id,
                                                             const std::string& out_refund_no) override;
  Result<std::vector<Refund>> list_order_refunds(const MerchantId& merchant_id,
                                                 const OrderId& order_id) override;
  void claim_due_refunds(JobClaim claim, Completion<std::vector<Refund>> done) override;

  Result<MerchantBalance> merchant_balance(const MerchantId& merchant_id) override;
  Result<std::vector<StoredTransfer>> list_transfers(const MerchantId& merchant_id, const OrderId& order_id,
                                                     const std::optional<RefundId>& refund_id) override;
  void post_transfers(LedgerPostingCommand command, Completion<std::int64_t> done) override;
  Result<LedgerReport> verify_ledger() override;
  Result<std::vector<LedgerAccountRow>> list_ledger_accounts() override;
  Status for_each_transfer(const std::function<void(const StoredTransfer&)>& visit) override;

  void claim_due_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) override;
  void release_events(std::vector<std::string> event_ids, std::int64_t due_at_ms,
                      Completion<std::int64_t> done) override;
  void record_delivery(DeliveryAttempt attempt, Completion<OutboxEvent> done) override;
  Result<EventPage> list_events(const EventQuery& query) override;
  void resend_event(MerchantId merchant_id, std::string event_id, std::int64_t now_ms,
                    Completion<OutboxEvent> done) override;

  void claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) override;
  void finish_idempotency_key(IdempotencyResult result, Completion<bool> done) override;

  void drain() override;
  void set_event_feed(bool enabled, Completion<bool> done) override;
  void claim_feed_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) override;
  void finish_feed_events(std::vector<std::string> event_ids, Completion<std::int64_t> done) override;
  void release_claims(std::string node_id, std::int64_t now_ms, Completion<std::int64_t> done) override;

 private:
  PostgresStore(const PostgresStoreOptions& options, MetricsRegistry& metrics);

  // Runs on a writer thread: the body in a transaction, again when it lost a race, then its completion.
  template <class T, class Body>
  void write(Body body, Completion<T> done);
  template <class T, class Body, class OrderOf>
  void write_money(Body body, OrderOf order_of, Completion<T> done);
  template <class T, class Query>
  Result<T> read(Query query);
  // A read that needs one snapshot across statements (verify, export).
  template <class T, class Query>
  Result<T> read_snapshot(Query query);

  void run_writer();
  // Several commands in one transaction, a savepoint each; completes every one of them.
  void run_batch(std::vector<std::unique_ptr<WriteCommand>>& batch);
  void run_roll_up();

  const PostgresStoreOptions options_;
  TransactionMetrics metrics_;
  ConnectionPool writer_connections_;
  ConnectionPool reader_connections_;
  AccountCache accounts_;

  std::mutex mutex_;
  std::condition_variable work_;      // writers wait here for commands
  std::condition_variable stopping_;  // the roll-up waits here between rounds
  std::deque<std::unique_ptr<WriteCommand>> queue_;
  bool draining_ = false;
  std::vector<std::thread> writers_;
  std::thread roll_up_;
};

}  // namespace paygate::postgres
