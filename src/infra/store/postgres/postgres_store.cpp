#include "infra/store/postgres/postgres_store.h"

#include "core/log.h"
#include "infra/store/postgres/rows.h"

namespace paygate::postgres {
namespace {

// A transaction that lost a race is run again this many times in all before the caller hears of it.
constexpr int kAttemptsMax = 5;
constexpr std::int64_t kRollUpAccounts = 10'000;  // accounts folded per round

void rollback_quietly(Connection& db) {
  try {
    db.exec("ROLLBACK");
  } catch (const PgError&) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

Error unavailable(const PgError& e, const char* what) {
  log::error(what, {{"error", e.what()}, {"sqlstate", e.sqlstate()}});
  return make_error(ErrorCode::kStoreUnavailable, "the store is unavailable; retry shortly");
}

// The body in a transaction on a leased connection; again when it lost a race or the connection broke
// before COMMIT was sent (after an outage every idle connection of the pool may be dead: each one found so
// is closed and does not count as an attempt). A connection lost during COMMIT leaves the outcome unknown:
// STORE_UNAVAILABLE, and the caller's retry is answered by the command's own idempotency.
template <class T, class Body>
Result<T> transact(ConnectionPool& pool, Body& body, TransactionMetrics* metrics,
                   bool read_only_snapshot = false) {
  const auto started = std::chrono::steady_clock::now();
  std::uint32_t dead_connections = 0;
  for (int attempt = 1;; ++attempt) {
    auto lease = pool.lease();
    if (!lease.ok()) return std::move(lease).error();
    Connection& db = **lease;
    bool committing = false;
    try {
      db.exec(read_only_snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
      Result<T> result = body(db);
      if (!result.ok()) {
        db.exec("ROLLBACK");
        return result;
      }
      committing = true;
      db.exec("COMMIT");
      if (metrics)
        metrics->commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      return result;
    } catch (const PgError& e) {
      rollback_quietly(db);
      if (!committing && e.connection_lost() && dead_connections < pool.size()) {
        ++dead_connections;
        --attempt;
        continue;
      }
      const bool again = !committing && e.is_retryable();
      if (again && attempt < kAttemptsMax) {
        if (metrics) metrics->retries.increment();
        continue;
      }
      if (metrics) metrics->commit_failures.increment();
      return unavailable(e, committing ? "store_commit_failed" : "store_write_failed");
    }
  }
}

}  // namespace

TransactionMetrics::TransactionMetrics(MetricsRegistry& metrics)
    : commit_seconds(metrics.histogram("paygate_store_commit_seconds",
                                       "Time from a write command's start to its COMMIT returning", {},
                                       latency_buckets_seconds())),
      queue_depth(metrics.gauge("paygate_store_queue_depth", "Write commands waiting for a writer")),
      refused_busy(
          metrics.counter("paygate_store_refused_total", "Writes refused because the queue was full")),
      commit_failures(
          metrics.counter("paygate_store_commit_failures_total",
                          "Write commands that failed to commit (the caller got STORE_UNAVAILABLE)")),
      retries(metrics.counter("paygate_store_transaction_retries_total",
                              "Transactions run again after losing a race or a connection before COMMIT")) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const PostgresStoreOptions& options,
                                                           MetricsRegistry& metrics, const Clock& clock) {
  if (!options.secrets) return make_error(ErrorCode::kInternal, "the store needs a secret box (master key)");
  try {
    Connection db(options.connect);
    const MigrationReport report = migrate(db, clock.now_unix_ms());
    if (report.to_version != report.from_version)
      log::info("store_migrated", {{"from_version", report.from_version}, {"to_version", report.to_version}});
    db.exec("BEGIN");
    try {
      if (const std::int64_t sealed = seal_secrets(db, *options.secrets, true); sealed > 0)
        log::info("store_secrets_sealed", {{"merchants", sealed}});
      db.exec("COMMIT");
    } catch (...) {
      rollback_quietly(db);
      throw;
    }
  } catch (const PgError& e) {
    return make_error(ErrorCode::kStoreUnavailable, e.what());
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(options, metrics));
}

Result<MigrationReport> PostgresStore::migrate_only(const ConnectOptions& connect, const Clock& clock) {
  try {
    Connection db(connect);
    return migrate(db, clock.now_unix_ms());
  } catch (const PgError& e) {
    return make_error(ErrorCode::kStoreUnavailable, e.what());
  }
}

PostgresStore::PostgresStore(const PostgresStoreOptions& options, MetricsRegistry& metrics)
    : options_(options),
      metrics_(metrics),
      writer_connections_(options.connect, options.writers, 60'000),
      reader_connections_(options.connect, options.readers, options.reader_wait_ms) {
  for (std::uint32_t i = 0; i < options.writers; ++i) writers_.emplace_back([this] { run_writer(); });
  roll_up_ = std::thread([this] { run_roll_up(); });
}

PostgresStore::~PostgresStore() { drain(); }

void PostgresStore::drain() {
  {
    std::lock_guard lock(mutex_);
    if (draining_ && writers_.empty()) return;
    draining_ = true;
  }
  work_.notify_all();
  stopping_.notify_all();
  for (std::thread& writer : writers_) {
    if (writer.joinable()) writer.join();
  }
  if (roll_up_.joinable()) roll_up_.join();
  std::lock_guard lock(mutex_);
  writers_.clear();
}

void PostgresStore::run_writer() {
  std::vector<std::unique_ptr<WriteCommand>> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [this] { return draining_ || !queue_.empty(); });
      if (queue_.empty()) return;  // draining, and everything queued has run
      // Whatever is waiting goes in one transaction: under load the queue holds many commands and each
      // transaction carries as many as batch_max; when it is quiet, a command runs alone at once.
      while (!queue_.empty() && batch.size() < options_.batch_max) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      metrics_.queue_depth.set(static_cast<std::int64_t>(queue_.size()));
    }
    run_batch(batch);
    batch.clear();
  }
}

void PostgresStore::run_batch(std::vector<std::unique_ptr<WriteCommand>>& batch) {
  if (batch.size() == 1) {
    batch.front()->run_alone();
    batch.front()->complete();
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  bool committing = false;
  bool given_up = false;
  std::vector<WriteCommand*> deferred;  // met a lock held elsewhere, or lost a race: run alone after
  {
    auto lease = writer_connections_.lease();
    if (!lease.ok()) {
      for (auto& command : batch) command->fail(lease.error());
    } else {
      Connection& db = **lease;
      try {
        // A batch never waits long on a row another transaction holds (that is how two batches would
        // deadlock, each holding what the other needs): the command that would wait is undone to its
        // savepoint and runs on its own once the batch has committed, waiting as long as it needs then.
        db.exec("BEGIN; SET LOCAL lock_timeout = '20ms'");
        for (auto& command : batch) {
          db.exec("SAVEPOINT command");
          try {
            db.exec(command->apply(db) ? "RELEASE SAVEPOINT command"
                                       : "ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command");
          } catch (const PgError& e) {
            if (e.connection_lost()) throw;
            db.exec("ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command");
            deferred.push_back(command.get());
          }
        }
        committing = true;
        db.exec("COMMIT");
        accounts_.transaction_committed();
        metrics_.commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      } catch (const PgError& e) {
        rollback_quietly(db);
        accounts_.transaction_failed();
        if (committing && e.connection_lost()) {
          // COMMIT was sent and the answer lost: whether it landed is unknown (retries are idempotent).
          metrics_.commit_failures.increment();
          for (auto& command : batch) command->fail(unavailable(e, "store_commit_failed"));
        } else {
          // The connection died (or COMMIT itself failed): nothing of the batch landed; each command runs
          // again on its own, with the usual retries.
          metrics_.retries.increment();
          given_up = true;
        }
      }
    }
  }
  if (given_up) {
    for (auto& command : batch) command->run_alone();
  } else {
    for (WriteCommand* command : deferred) command->run_alone();
  }
  for (auto& command : batch) command->complete();
}

void PostgresStore::run_roll_up() {
  std::unique_lock lock(mutex_);
  while (!draining_) {
    stopping_.wait_for(lock, std::chrono::milliseconds(options_.roll_up_interval_ms));
    if (draining_) break;
    lock.unlock();
    try {
      auto lease = writer_connections_.lease();
      if (lease.ok()) {
        roll_up_deltas(**lease, kRollUpAccounts);
      }
    } catch (const PgError& e) {
      // A deadlock with a posting that locked an account row is expected under load: the next round
      // folds the same deltas (nothing was lost; they are still in the table).
      if (e.is_retryable()) {
        log::info("ledger_roll_up_deferred", {{"sqlstate", e.sqlstate()}});
      } else {
        log::warn("ledger_roll_up_failed", {{"error", e.what()}});
      }
    }
    lock.lock();
  }
}

template <class T, class Body>
void PostgresStore::write(Body body, Completion<T> done) {
  std::unique_lock lock(mutex_);
  if (draining_) {
    lock.unlock();
    done(make_error(ErrorCode::kShuttingDown, "the store is shutting down"));
    return;
  }
  if (queue_.size() >= options_.writer_queue_max) {
    lock.unlock();
    metrics_.refused_busy.increment();
    done(make_error(ErrorCode::kStoreBusy, "the write queue is full"));
    return;
  }
  auto alone = [this](Body& body) {
    Result<T> result = transact<T>(writer_connections_, body, &metrics_);
    if (result.ok()) {
      accounts_.transaction_committed();
    } else {
      accounts_.transaction_failed();
    }
    return result;
  };
  queue_.push_back(std::make_unique<TypedWriteCommand<T, Body, decltype(alone)>>(
      std::move(body), std::move(done), std::move(alone)));
  metrics_.queue_depth.set(static_cast<std::int64_t>(queue_.size()));
  lock.unlock();
  work_.notify_one();
}

template <class T, class Body, class OrderOf>
void PostgresStore::write_money(Body body, OrderOf order_of, Completion<T> done) {
  if (!options_.verify_ledger_each_command) {
    write<T>(std::move(body), std::move(done));
    return;
  }
  write<T>(
      [body = std::move(body), order_of = std::move(order_of)](Connection& db) mutable -> Result<T> {
        Result<T> result = body(db);
        if (!result.ok()) return result;
        if (auto books = check_books_after_command(db, order_of(*result)); !books) {
          log::error("ledger_invariant_violated", {{"error", books.error().message}});
          return std::move(books).error();
        }
        return result;
      },
      std::move(done));
}

template <class T, class Query>
Result<T> PostgresStore::read(Query query) {
  for (std::uint32_t dead_connections = 0;; ++dead_connections) {
    auto lease = reader_connections_.lease();
    if (!lease.ok()) return std::move(lease).error();
    try {
      return Result<T>(query(**lease));
    } catch (const PgError& e) {
      rollback_quietly(**lease);
      // A connection that died in an outage is closed as its lease ends; the read tries a fresh one.
      if (e.connection_lost() && dead_connections < reader_connections_.size()) continue;
      return unavailable(e, "store_read_failed");
    }
  }
}

template <class T, class Query>
Result<T> PostgresStore::read_snapshot(Query query) {
  auto body = [&](Connection& db) -> Result<T> { return query(db); };
  return transact<T>(reader_connections_, body, nullptr, true);
}

// ---- merchants and operators

void PostgresStore::create_merchant(Merchant merchant, Completion<Merchant> done) {
  write<Merchant>(
      [box = options_.secrets, merchant = std::move(merchant)](Connection& db) -> Result<Merchant> {
        insert_merchant(db, *box, merchant);
        return merchant;
      },
      std::move(done));
}

Result<std::optional<Merchant>> PostgresStore::find_merchant(const MerchantId& merchant_id) {
  return read<std::optional<Merchant>>(
      [&](Connection& db) { return select_merchant(db, *options_.secrets, merchant_id); });
}

Result<std::vector<Merchant>> PostgresStore::list_merchants() {
  return read<std::vector<Merchant>>(
      [this](Connection& db) { return select_merchants(db, *options_.secrets); });
}

void PostgresStore::set_webhook_secret(MerchantId merchant_id, std::string secret,
                                       Completion<Merchant> done) {
  write<Merchant>([box = options_.secrets, change = MerchantChange{std::move(merchant_id), std::nullopt,
                                                                   std::nullopt, std::move(secret)}](
                      Connection& db) { return update_merchant(db, *box, change); },
                  std::move(done));
}

void PostgresStore::create_merchant_audited(Merchant merchant, AuditEntry audit, Completion<Merchant> done) {
  write<Merchant>(
      [box = options_.secrets, merchant = std::move(merchant),
       audit = std::move(audit)](Connection& db) mutable -> Result<Merchant> {
        insert_merchant(db, *box, merchant);
        AuditEntry entry = audit;
        entry.before_json = "null";
        entry.after_json = merchant_public_json(merchant);
        insert_audit(db, entry);
        return merchant;
      },
      std::move(done));
}

void PostgresStore::change_merchant(MerchantChange change, AuditEntry audit, Completion<Merchant> done) {
  write<Merchant>(
      [box = options_.secrets, change = std::move(change),
       audit = std::move(audit)](Connection& db) mutable -> Result<Merchant> {
        auto before = select_merchant(db, *box, change.merchant_id, true);
        auto after = update_merchant(db, *box, change);
        if (!after.ok()) return after;
        AuditEntry entry = audit;
        entry.before_json = merchant_public_json(*before);
        entry.after_json = merchant_public_json(*after);
        insert_audit(db, entry);
        return after;
      },
      std::move(done));
}

void PostgresStore::reseal_secrets(Completion<std::int64_t> done) {
  write<std::int64_t>([box = options_.secrets](
                          Connection& db) -> Result<std::int64_t> { return seal_secrets(db, *box, false); },
                      std::move(done));
}

Result<std::vector<std::string>> PostgresStore::list_sealing_key_ids() {
  return read<std::vector<std::string>>([](Connection& db) { return select_sealing_key_ids(db); });
}

void PostgresStore::create_operator(Operator op, std::string key_sha256_hex, Completion<Operator> done) {
  write<Operator>(
      [op = std::move(op), key = std::move(key_sha256_hex)](Connection& db) -> Result<Operator> {
        insert_operator(db, op, key);
        return op;
      },
      std::move(done));
}

Result<std::optional<Operator>> PostgresStore::find_operator_by_key(const std::string& key_sha256_hex) {
  return read<std::optional<Operator>>(
      [&](Connection& db) { return select_operator_by_key(db, key_sha256_hex); });
}

Result<AuditPage> PostgresStore::list_audit(const AuditQuery& query) {
  return read<AuditPage>([&](Connection& db) { return select_audit(db, query); });
}

// ---- orders

void PostgresStore::create_order(Order order, Completion<CreatedOrder> done) {
  write<CreatedOrder>([order = std::move(order)](Connection& db) { return insert_order(db, order); },
                      std::move(done));
}

void PostgresStore::apply_order_event(OrderEventCommand command, Completion<OrderEventOutcome> done) {
  write<OrderEventOutcome>(
      [command = std::move(command)](Connection& db) { return update_order_status(db, command); },
      std::move(done));
}

Result<std::optional<Order>> PostgresStore::find_order(const MerchantId& merchant_id,
                                                       const OrderId& order_id) {
  return read<std::optional<Order>>([&](Connection& db) { return select_order(db, merchant_id, order_id); });
}

Result<std::optional<Order>> PostgresStore::find_order_by_out_trade_no(const MerchantId& merchant_id,
                                                                       const std::string& out_trade_no) {
  return read<std::optional<Order>>(
      [&](Connection& db) { return select_order_by_out_trade_no(db, merchant_id, out_trade_no); });
}

Result<OrderPage> PostgresStore::list_orders(const OrderQuery& query) {
  return read<OrderPage>([&](Connection& db) { return select_orders(db, query); });
}

Result<std::optional<Order>> PostgresStore::find_order_by_id(const OrderId& order_id) {
  return read<std::optional<Order>>([&](Connection& db) { return select_order_by_id(db, order_id); });
}

void PostgresStore::claim_expired_orders(JobClaim claim, Completion<std::vector<Order>> done) {
  write<std::vector<Order>>(
      [claim](Connection& db) -> Result<std::vector<Order>> {
        return paygate::postgres::claim_expired_orders(db, claim);
      },
      std::move(done));
}

void PostgresStore::claim_orders_to_query(JobClaim claim, Completion<std::vector<Order>> done) {
  write<std::vector<Order>>(
      [claim](Connection& db) -> Result<std::vector<Order>> {
        return paygate::postgres::claim_orders_to_query(db, claim);
      },
      std::move(done));
}

void PostgresStore::note_order_query(OrderQueryCheck check, Completion<Order> done) {
  write<Order>([check = std::move(check)](Connection& db) { return update_order_query(db, check); },
               std::move(done));
}

Result<std::vector<Order>> PostgresStore::list_late_payments_to_refund(std::uint32_t limit) {
  return read<std::vector<Order>>([&](Connection& db) { return select_late_payments_to_refund(db, limit); });
}

void PostgresStore::attach_payment(PaymentAttachment attachment, Completion<Order> done) {
  write<Order>(
      [attachment = std::move(attachment)](Connection& db) { return update_payment(db, attachment); },
      std::move(done));
}

void PostgresStore::choose_channel(OrderId order_id, Channel channel, std::string method,
                                   std::string account_id, Completion<Order> done) {
  write<Order>([order_id = std::move(order_id), channel, method = std::move(method),
                account_id = std::move(account_id)](
                   Connection& db) { return update_channel(db, order_id, channel, method, account_id); },
               std::move(done));
}

void PostgresStore::apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) {
  write_money<ChannelTradeOutcome>(
      [event = std::move(event), accounts = &accounts_](Connection& db) {
        return apply_channel_trade_event(db, *accounts, event);
      },
      [](const ChannelTradeOutcome& outcome) { return outcome.order.order_id; }, std::move(done));
}

// ---- refunds

void PostgresStore::create_refund(Refund refund, Completion<CreatedRefund> done) {
  write_money<CreatedRefund>(
      [refund = std::move(refund)](Connection& db) { return insert_refund(db, refund); },
      [](const CreatedRefund& created) { return created.order.order_id; }, std::move(done));
}

void PostgresStore::settle_refund(RefundSettlement settlement, Completion<RefundOutcome> done) {
  write_money<RefundOutcome>(
      [settlement = std::move(settlement), accounts = &accounts_](Connection& db) {
        return update_refund_settlement(db, *accounts, settlement);
      },
      [](const RefundOutcome& outcome) { return outcome.order.order_id; }, std::move(done));
}

void PostgresStore::note_refund_check(RefundCheck check, Completion<Refund> done) {
  write<Refund>([check = std::move(check)](Connection& db) { return update_refund_check(db, check); },
                std::move(done));
}

Result<std::optional<Refund>> PostgresStore::find_refund(const MerchantId& merchant_id,
                                                         const RefundId& refund_id) {
  return read<std::optional<Refund>>(
      [&](Connection& db) { return select_refund(db, merchant_id, refund_id); });
}

Result<std::optional<Refund>> PostgresStore::find_refund_by_id(const RefundId& refund_id) {
  return read<std::optional<Refund>>([&](Connection& db) { return select_refund_by_id(db, refund_id); });
}

Result<std::optional<Refund>> PostgresStore::find_refund_by_out_refund_no(const MerchantId& merchant_id,
                                                                          const std::string& out_refund_no) {
  return read<std::optional<Refund>>(
      [&](Connection& db) { return select_refund_by_out_refund_no(db, merchant_id, out_refund_no); });
}

Result<std::vector<Refund>> PostgresStore::list_order_refunds(const MerchantId& merchant_id,
                                                              const OrderId& order_id) {
  return read<std::vector<Refund>>(
      [&](Connection& db) { return select_order_refunds(db, merchant_id, order_id); });
}

void PostgresStore::claim_due_refunds(JobClaim claim, Completion<std::vector<Refund>> done) {
  write<std::vector<Refund>>(
      [claim](Connection& db) -> Result<std::vector<Refund>> {
        return paygate::postgres::claim_due_refunds(db, claim);
      },
      std::move(done));
}

// ---- ledger

Result<MerchantBalance> PostgresStore::merchant_balance(const MerchantId& merchant_id) {
  return read_snapshot<MerchantBalance>(
      [&](Connection& db) { return select_merchant_balance(db, merchant_id); });
}

Result<std::vector<StoredTransfer>> PostgresStore::list_transfers(const MerchantId& merchant_id,
                                                                  const OrderId& order_id,
                                                                  const std::optional<RefundId>& refund_id) {
  return read<std::vector<StoredTransfer>>(
      [&](Connection& db) { return select_transfers(db, merchant_id, order_id, refund_id); });
}

void PostgresStore::post_transfers(LedgerPostingCommand command, Completion<std::int64_t> done) {
  write_money<std::int64_t>(
      [command = std::move(command), accounts = &accounts_](Connection& db) {
        return post_batch(db, *accounts, command.transfers, PostingContext{"", "", command.at_ms});
      },
      [](std::int64_t) { return OrderId{}; }, std::move(done));
}

// The whole-store scans (verify, export) are exempt from the per-statement deadline: on a large store they
// run for minutes by design, in one snapshot that nothing else waits on.
Result<LedgerReport> PostgresStore::verify_ledger() {
  return read_snapshot<LedgerReport>([](Connection& db) {
    db.exec("SET LOCAL statement_timeout = 0");
    return verify_books(db);
  });
}

Result<std::vector<LedgerAccountRow>> PostgresStore::list_ledger_accounts() {
  return read<std::vector<LedgerAccountRow>>([](Connection& db) { return select_ledger_accounts(db); });
}

Status PostgresStore::for_each_transfer(const std::function<void(const StoredTransfer&)>& visit) {
  auto visited = read_snapshot<bool>([&](Connection& db) {
    db.exec("SET LOCAL statement_timeout = 0");
    visit_transfers(db, visit);
    return true;
  });
  if (!visited.ok()) return std::move(visited).error();
  return {};
}

// ---- outbox: a committed event is durable on PostgreSQL, so the reads need not wait for anything.

void PostgresStore::claim_due_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) {
  write<std::vector<OutboxEvent>>(
      [claim](Connection& db) -> Result<std::vector<OutboxEvent>> {
        return paygate::postgres::claim_due_events(db, claim);
      },
      std::move(done));
}

void PostgresStore::release_events(std::vector<std::string> event_ids, std::int64_t due_at_ms,
                                   Completion<std::int64_t> done) {
  write<std::int64_t>(
      [event_ids = std::move(event_ids), due_at_ms](Connection& db) -> Result<std::int64_t> {
        return paygate::postgres::release_events(db, event_ids, due_at_ms);
      },
      std::move(done));
}

void PostgresStore::record_delivery(DeliveryAttempt attempt, Completion<OutboxEvent> done) {
  write<OutboxEvent>([attempt = std::move(attempt)](Connection& db) { return update_delivery(db, attempt); },
                     std::move(done));
}

Result<EventPage> PostgresStore::list_events(const EventQuery& query) {
  return read<EventPage>([&](Connection& db) { return select_events(db, query); });
}

void PostgresStore::resend_event(MerchantId merchant_id, std::string event_id, std::int64_t now_ms,
                                 Completion<OutboxEvent> done) {
  write<OutboxEvent>([merchant_id = std::move(merchant_id), event_id = std::move(event_id),
                      now_ms](Connection& db) { return update_resend(db, merchant_id, event_id, now_ms); },
                     std::move(done));
}

// ---- idempotency

void PostgresStore::claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) {
  write<IdempotencyDecision>(
      [claim = std::move(claim)](Connection& db) -> Result<IdempotencyDecision> {
        return claim_key(db, claim);
      },
      std::move(done));
}

void PostgresStore::finish_idempotency_key(IdempotencyResult result, Completion<bool> done) {
  write<bool>([result = std::move(result)](Connection& db) -> Result<bool> { return finish_key(db, result); },
              std::move(done));
}

}  // namespace paygate::postgres

namespace paygate::postgres {

void PostgresStore::release_claims(std::string node_id, std::int64_t now_ms, Completion<std::int64_t> done) {
  write<std::int64_t>(
      [node_id = std::move(node_id), now_ms](Connection& db) -> Result<std::int64_t> {
        return paygate::postgres::release_claims(db, node_id, now_ms);
      },
      std::move(done));
}

}  // namespace paygate::postgres

namespace paygate::postgres {

void PostgresStore::set_event_feed(bool enabled, Completion<bool> done) {
  write<bool>(
      [enabled](Connection& db) -> Result<bool> {
        update_event_feed_setting(db, enabled);
        return enabled;
      },
      std::move(done));
}

// A claim is a write: like claim_due_events, it hands out only events whose commits are durable.
void PostgresStore::claim_feed_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) {
  write<std::vector<OutboxEvent>>(
      [claim](Connection& db) -> Result<std::vector<OutboxEvent>> {
        return paygate::postgres::claim_feed_events(db, claim);
      },
      std::move(done));
}

void PostgresStore::finish_feed_events(std::vector<std::string> event_ids, Completion<std::int64_t> done) {
  write<std::int64_t>(
      [event_ids = std::move(event_ids)](Connection& db) -> Result<std::int64_t> {
        return delete_feed_events(db, event_ids);
      },
      std::move(done));
}

}  // namespace paygate::postgres
