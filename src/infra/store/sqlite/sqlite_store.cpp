#include "infra/store/sqlite/sqlite_store.h"

#include "core/log.h"
#include "crypto/secret_box.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

std::unique_ptr<Connection> open_writer_connection(const std::string& path) {
  auto db = std::make_unique<Connection>(path, OpenMode::kReadWrite);
  db->exec("PRAGMA journal_mode = WAL");
  // FULL: in WAL mode every COMMIT fsyncs the log, so migrations are durable when they return. The store's
  // writer then switches to NORMAL and leaves the fsync to its WalSyncer.
  db->exec("PRAGMA synchronous = FULL");
  db->exec("PRAGMA foreign_keys = ON");
  // 8 MiB of page cache, but dirty pages spill to the WAL mid-batch only past 64 MiB: a group commit of
  // notifies dirties thousands of pages, and spilling them at SQLite's default (2 MiB) wrote them twice
  // (measured: 43% of the writer's time in pwrite during statements). The cache itself stays small because
  // SQLite 3.40's b-tree balancing parks a page at the lock-byte page number (262145 with 4 KiB pages) while
  // it swaps two siblings, and the next COMMIT then truncates the page cache above the database size by
  // walking every cached page: with a 64 MiB cache that walk was 17% of the writer's time, now 3%. Pages
  // that fall out of the cache are re-read from the OS page cache (pread ~1% of the writer).
  db->exec("PRAGMA cache_size = -8192");
  db->exec("PRAGMA cache_spill = 16384");
  db->exec("PRAGMA temp_store = MEMORY");
  return db;
}

Error unavailable(const SqliteError& e) {
  log::error("store_read_failed", {{"error", e.what()}});
  return make_error(ErrorCode::kStoreUnavailable, "the store could not complete the read");
}

}  // namespace

// No reader connection came free within the pool's wait: the read answers STORE_BUSY.
struct ReaderWaitExpired {};

// Reader connections are leased one per query; a query never waits for the writer (WAL snapshots), and
// waits at most wait_ms for a free connection.
class SqliteStore::ReaderPool {
 public:
  ReaderPool(const std::string& path, std::uint32_t count, std::uint32_t wait_ms) : wait_ms_(wait_ms) {
    for (std::uint32_t i = 0; i < count; ++i) {
      auto db = std::make_unique<Connection>(path, OpenMode::kReadWrite);
      db->exec("PRAGMA query_only = ON");
      free_.push_back(std::move(db));
    }
  }

  template <class F>
  auto with_connection(F&& f) {
    std::unique_ptr<Connection> db;
    {
      std::unique_lock lock(mutex_);
      if (!available_.wait_for(lock, std::chrono::milliseconds(wait_ms_), [this] { return !free_.empty(); }))
        throw ReaderWaitExpired{};
      db = std::move(free_.back());
      free_.pop_back();
    }
    struct Return {
      ReaderPool* pool;
      std::unique_ptr<Connection>& db;
      ~Return() {
        std::lock_guard lock(pool->mutex_);
        pool->free_.push_back(std::move(db));
        pool->available_.notify_one();
      }
    } give_back{this, db};
    return f(*db);
  }

 private:
  const std::uint32_t wait_ms_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> free_;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteStoreOptions& options,
                                                       MetricsRegistry& metrics, const Clock& clock) {
  try {
    auto db = open_writer_connection(options.path);
    const MigrationReport report = migrate(*db, clock.now_unix_ms());
    if (report.to_version != report.from_version) {
      log::info("store_migrated", {{"from_version", report.from_version}, {"to_version", report.to_version}});
    }
    if (!options.secrets)
      return make_error(ErrorCode::kInternal, "the store needs a secret box (master key)");
    // Secrets written before they were sealed at rest are sealed now, all in one transaction.
    db->exec("BEGIN IMMEDIATE");
    try {
      if (const std::int64_t sealed = seal_secrets(*db, *options.secrets, true); sealed > 0)
        log::info("store_secrets_sealed", {{"merchants", sealed}});
      db->exec("COMMIT");
    } catch (...) {
      db->exec("ROLLBACK");
      throw;
    }
    // A WAL left large by a crash is truncated back once checkpointed.
    db->exec("PRAGMA journal_size_limit = 67108864");
    // From here on the WalSyncer makes commits durable, off the writer thread (see wal_syncer.h).
    db->exec("PRAGMA synchronous = NORMAL");
    auto readers = std::make_unique<ReaderPool>(options.path, options.readers, options.reader_wait_ms);
    auto checkpointer =
        std::make_unique<Checkpointer>(options.path, *db, options.checkpoint_wal_pages, metrics);
    auto book = std::make_unique<AccountBook>();
    auto writer = std::make_unique<GroupCommitWriter>(std::move(db), options.limits, metrics, book.get());
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(book), std::move(writer),
                                                        std::move(checkpointer), std::move(readers),
                                                        options.verify_ledger_each_command, options.secrets));
  } catch (const SqliteError& e) {
    return make_error(ErrorCode::kStoreUnavailable, e.what());
  }
}

Result<MigrationReport> SqliteStore::migrate_only(const std::string& path, const Clock& clock) {
  try {
    auto db = open_writer_connection(path);
    return migrate(*db, clock.now_unix_ms());
  } catch (const SqliteError& e) {
    return make_error(ErrorCode::kStoreUnavailable, e.what());
  }
}

SqliteStore::SqliteStore(std::unique_ptr<AccountBook> book, std::unique_ptr<GroupCommitWriter> writer,
                         std::unique_ptr<Checkpointer> checkpointer, std::unique_ptr<ReaderPool> readers,
                         bool verify_ledger_each_command, std::shared_ptr<const crypto::SecretBox> secrets)
    : secrets_(std::move(secrets)),
      book_(std::move(book)),
      writer_(std::move(writer)),
      checkpointer_(std::move(checkpointer)),
      readers_(std::move(readers)),
      verify_ledger_each_command_(verify_ledger_each_command) {}

SqliteStore::~SqliteStore() { drain(); }

void SqliteStore::drain() {
  writer_->drain();
  checkpointer_->stop();
}

template <class T, class Body>
void SqliteStore::write(Body body, Completion<T> done) {
  writer_->submit(std::make_unique<TypedWrite<T>>(std::move(body), std::move(done)));
}

template <class T, class Body, class OrderOf>
void SqliteStore::write_money(Body body, OrderOf order_of, Completion<T> done) {
  if (!verify_ledger_each_command_) {
    write<T>(std::move(body), std::move(done));
    return;
  }
  write<T>(
      [body = std::move(body), order_of = std::move(order_of),
       book = book_.get()](Connection& db) -> Result<T> {
        Result<T> result = body(db);
        if (!result.ok()) return result;
        book->flush(db);  // the checks read the account rows
        if (auto books = check_books_after_command(db, order_of(*result)); !books) {
          log::error("ledger_invariant_violated", {{"error", books.error().message}});
          return std::move(books).error();
        }
        return result;
      },
      std::move(done));
}

template <class T, class Query>
Result<T> SqliteStore::read(Query query) {
  try {
    return readers_->with_connection([&](Connection& db) -> Result<T> { return query(db); });
  } catch (const SqliteError& e) {
    return unavailable(e);
  } catch (const ReaderWaitExpired&) {
    return make_error(ErrorCode::kStoreBusy, "every reader connection is busy; retry shortly");
  }
}

void SqliteStore::create_merchant(Merchant merchant, Completion<Merchant> done) {
  write<Merchant>(
      [box = secrets_, merchant = std::move(merchant)](Connection& db) -> Result<Merchant> {
        insert_merchant(db, *box, merchant);
        return merchant;
      },
      std::move(done));
}

Result<std::optional<Merchant>> SqliteStore::find_merchant(const MerchantId& merchant_id) {
  return read<std::optional<Merchant>>(
      [&](Connection& db) { return select_merchant(db, *secrets_, merchant_id); });
}

Result<std::vector<Merchant>> SqliteStore::list_merchants() {
  return read<std::vector<Merchant>>([this](Connection& db) { return select_merchants(db, *secrets_); });
}

void SqliteStore::set_webhook_secret(MerchantId merchant_id, std::string secret, Completion<Merchant> done) {
  write<Merchant>([box = secrets_, change = MerchantChange{std::move(merchant_id), std::nullopt, std::nullopt,
                                                           std::move(secret)}](
                      Connection& db) { return update_merchant(db, *box, change); },
                  std::move(done));
}

void SqliteStore::create_merchant_audited(Merchant merchant, AuditEntry audit, Completion<Merchant> done) {
  write<Merchant>(
      [box = secrets_, merchant = std::move(merchant),
       audit = std::move(audit)](Connection& db) mutable -> Result<Merchant> {
        insert_merchant(db, *box, merchant);
        audit.before_json = "null";
        audit.after_json = merchant_public_json(merchant);
        insert_audit(db, audit);
        return merchant;
      },
      std::move(done));
}

void SqliteStore::change_merchant(MerchantChange change, AuditEntry audit, Completion<Merchant> done) {
  write<Merchant>(
      [box = secrets_, change = std::move(change),
       audit = std::move(audit)](Connection& db) mutable -> Result<Merchant> {
        auto before = select_merchant(db, *box, change.merchant_id);
        auto after = update_merchant(db, *box, change);
        if (!after.ok()) return after;
        audit.before_json = merchant_public_json(*before);
        audit.after_json = merchant_public_json(*after);
        insert_audit(db, audit);
        return after;
      },
      std::move(done));
}

void SqliteStore::reseal_secrets(Completion<std::int64_t> done) {
  write<std::int64_t>(
      [box = secrets_](Connection& db) -> Result<std::int64_t> { return seal_secrets(db, *box, false); },
      std::move(done));
}

Result<std::vector<std::string>> SqliteStore::list_sealing_key_ids() {
  return read<std::vector<std::string>>([](Connection& db) { return select_sealing_key_ids(db); });
}

void SqliteStore::create_operator(Operator op, std::string key_sha256_hex, Completion<Operator> done) {
  write<Operator>(
      [op = std::move(op), key = std::move(key_sha256_hex)](Connection& db) -> Result<Operator> {
        insert_operator(db, op, key);
        return op;
      },
      std::move(done));
}

Result<std::optional<Operator>> SqliteStore::find_operator_by_key(const std::string& key_sha256_hex) {
  return read<std::optional<Operator>>(
      [&](Connection& db) { return select_operator_by_key(db, key_sha256_hex); });
}

Result<AuditPage> SqliteStore::list_audit(const AuditQuery& query) {
  return read<AuditPage>([&](Connection& db) { return select_audit(db, query); });
}

void SqliteStore::create_order(Order order, Completion<CreatedOrder> done) {
  write<CreatedOrder>([order = std::move(order)](Connection& db) { return insert_order(db, order); },
                      std::move(done));
}

void SqliteStore::apply_order_event(OrderEventCommand command, Completion<OrderEventOutcome> done) {
  write<OrderEventOutcome>(
      [command = std::move(command)](Connection& db) { return update_order_status(db, command); },
      std::move(done));
}

Result<std::optional<Order>> SqliteStore::find_order(const MerchantId& merchant_id, const OrderId& order_id) {
  return read<std::optional<Order>>([&](Connection& db) { return select_order(db, merchant_id, order_id); });
}

Result<std::optional<Order>> SqliteStore::find_order_by_out_trade_no(const MerchantId& merchant_id,
                                                                     const std::string& out_trade_no) {
  return read<std::optional<Order>>(
      [&](Connection& db) { return select_order_by_out_trade_no(db, merchant_id, out_trade_no); });
}

Result<OrderPage> SqliteStore::list_orders(const OrderQuery& query) {
  return read<OrderPage>([&](Connection& db) { return select_orders(db, query); });
}

Result<std::optional<Order>> SqliteStore::find_order_by_id(const OrderId& order_id) {
  return read<std::optional<Order>>([&](Connection& db) { return select_order_by_id(db, order_id); });
}

void SqliteStore::claim_expired_orders(JobClaim claim, Completion<std::vector<Order>> done) {
  write<std::vector<Order>>(
      [claim](Connection& db) -> Result<std::vector<Order>> {
        return paygate::sqlite::claim_expired_orders(db, claim);
      },
      std::move(done));
}

void SqliteStore::claim_orders_to_query(JobClaim claim, Completion<std::vector<Order>> done) {
  write<std::vector<Order>>(
      [claim](Connection& db) -> Result<std::vector<Order>> {
        return paygate::sqlite::claim_orders_to_query(db, claim);
      },
      std::move(done));
}

void SqliteStore::note_order_query(OrderQueryCheck check, Completion<Order> done) {
  write<Order>([check = std::move(check)](Connection& db) { return update_order_query(db, check); },
               std::move(done));
}

Result<std::vector<Order>> SqliteStore::list_late_payments_to_refund(std::uint32_t limit) {
  return read<std::vector<Order>>([&](Connection& db) { return select_late_payments_to_refund(db, limit); });
}

void SqliteStore::attach_payment(PaymentAttachment attachment, Completion<Order> done) {
  write<Order>(
      [attachment = std::move(attachment)](Connection& db) { return update_payment(db, attachment); },
      std::move(done));
}

void SqliteStore::choose_channel(OrderId order_id, Channel channel, std::string method,
                                 std::string account_id, Completion<Order> done) {
  write<Order>([order_id = std::move(order_id), channel, method = std::move(method),
                account_id = std::move(account_id)](
                   Connection& db) { return update_channel(db, order_id, channel, method, account_id); },
               std::move(done));
}

void SqliteStore::apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) {
  write_money<ChannelTradeOutcome>(
      [event = std::move(event), book = book_.get()](Connection& db) {
        return apply_channel_trade_event(db, *book, event);
      },
      [](const ChannelTradeOutcome& outcome) { return outcome.order.order_id; }, std::move(done));
}

void SqliteStore::create_refund(Refund refund, Completion<CreatedRefund> done) {
  write_money<CreatedRefund>(
      [refund = std::move(refund)](Connection& db) { return insert_refund(db, refund); },
      [](const CreatedRefund& created) { return created.order.order_id; }, std::move(done));
}

void SqliteStore::settle_refund(RefundSettlement settlement, Completion<RefundOutcome> done) {
  write_money<RefundOutcome>(
      [settlement = std::move(settlement), book = book_.get()](Connection& db) {
        return update_refund_settlement(db, *book, settlement);
      },
      [](const RefundOutcome& outcome) { return outcome.order.order_id; }, std::move(done));
}

void SqliteStore::note_refund_check(RefundCheck check, Completion<Refund> done) {
  write<Refund>([check = std::move(check)](Connection& db) { return update_refund_check(db, check); },
                std::move(done));
}

Result<std::optional<Refund>> SqliteStore::find_refund(const MerchantId& merchant_id,
                                                       const RefundId& refund_id) {
  return read<std::optional<Refund>>(
      [&](Connection& db) { return select_refund(db, merchant_id, refund_id); });
}

Result<std::optional<Refund>> SqliteStore::find_refund_by_id(const RefundId& refund_id) {
  return read<std::optional<Refund>>([&](Connection& db) { return select_refund_by_id(db, refund_id); });
}

Result<std::optional<Refund>> SqliteStore::find_refund_by_out_refund_no(const MerchantId& merchant_id,
                                                                        const std::string& out_refund_no) {
  return read<std::optional<Refund>>(
      [&](Connection& db) { return select_refund_by_out_refund_no(db, merchant_id, out_refund_no); });
}

Result<std::vector<Refund>> SqliteStore::list_order_refunds(const MerchantId& merchant_id,
                                                            const OrderId& order_id) {
  return read<std::vector<Refund>>(
      [&](Connection& db) { return select_order_refunds(db, merchant_id, order_id); });
}

void SqliteStore::claim_due_refunds(JobClaim claim, Completion<std::vector<Refund>> done) {
  write<std::vector<Refund>>(
      [claim](Connection& db) -> Result<std::vector<Refund>> {
        return paygate::sqlite::claim_due_refunds(db, claim);
      },
      std::move(done));
}

Result<MerchantBalance> SqliteStore::merchant_balance(const MerchantId& merchant_id) {
  return read<MerchantBalance>([&](Connection& db) { return select_merchant_balance(db, merchant_id); });
}

Result<std::vector<StoredTransfer>> SqliteStore::list_transfers(const MerchantId& merchant_id,
                                                                const OrderId& order_id,
                                                                const std::optional<RefundId>& refund_id) {
  return read<std::vector<StoredTransfer>>(
      [&](Connection& db) { return select_transfers(db, merchant_id, order_id, refund_id); });
}

void SqliteStore::post_transfers(LedgerPostingCommand command, Completion<std::int64_t> done) {
  write_money<std::int64_t>(
      [command = std::move(command), book = book_.get()](Connection& db) {
        return book->post(db, command.transfers, PostingContext{"", "", command.at_ms});
      },
      [](std::int64_t) { return OrderId{}; }, std::move(done));
}

Result<LedgerReport> SqliteStore::verify_ledger() {
  return read<LedgerReport>([](Connection& db) { return verify_books(db); });
}

Result<std::vector<LedgerAccountRow>> SqliteStore::list_ledger_accounts() {
  return read<std::vector<LedgerAccountRow>>([](Connection& db) { return select_ledger_accounts(db); });
}

Status SqliteStore::for_each_transfer(const std::function<void(const StoredTransfer&)>& visit) {
  // One statement, so one snapshot: a journal written while payments go on is still complete and balanced.
  auto visited = read<bool>([&](Connection& db) {
    visit_transfers(db, visit);
    return true;
  });
  if (!visited.ok()) return std::move(visited).error();
  return {};
}

// Events leave the process (webhooks, the events API), so they wait until the commits that wrote them are
// durable: a read can see a batch between its COMMIT and its fsync, and a crash then would undo an event
// that a merchant had already been told about. A claim is a write, so it completes once its own batch is
// durable, and with it every batch before (the ones that wrote the events it hands out).
void SqliteStore::claim_due_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) {
  write<std::vector<OutboxEvent>>(
      [claim](Connection& db) -> Result<std::vector<OutboxEvent>> {
        return paygate::sqlite::claim_due_events(db, claim);
      },
      std::move(done));
}

void SqliteStore::release_events(std::vector<std::string> event_ids, std::int64_t due_at_ms,
                                 Completion<std::int64_t> done) {
  write<std::int64_t>(
      [event_ids = std::move(event_ids), due_at_ms](Connection& db) -> Result<std::int64_t> {
        return paygate::sqlite::release_events(db, event_ids, due_at_ms);
      },
      std::move(done));
}

void SqliteStore::record_delivery(DeliveryAttempt attempt, Completion<OutboxEvent> done) {
  write<OutboxEvent>([attempt = std::move(attempt)](Connection& db) { return update_delivery(db, attempt); },
                     std::move(done));
}

Result<EventPage> SqliteStore::list_events(const EventQuery& query) {
  auto page = read<EventPage>([&](Connection& db) { return select_events(db, query); });
  writer_->wait_until_durable();
  return page;
}

void SqliteStore::resend_event(MerchantId merchant_id, std::string event_id, std::int64_t now_ms,
                               Completion<OutboxEvent> done) {
  write<OutboxEvent>([merchant_id = std::move(merchant_id), event_id = std::move(event_id),
                      now_ms](Connection& db) { return update_resend(db, merchant_id, event_id, now_ms); },
                     std::move(done));
}

void SqliteStore::claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) {
  write<IdempotencyDecision>(
      [claim = std::move(claim)](Connection& db) -> Result<IdempotencyDecision> {
        return claim_key(db, claim);
      },
      std::move(done));
}

void SqliteStore::finish_idempotency_key(IdempotencyResult result, Completion<bool> done) {
  write<bool>([result = std::move(result)](Connection& db) -> Result<bool> { return finish_key(db, result); },
              std::move(done));
}

}  // namespace paygate::sqlite

namespace paygate::sqlite {

void SqliteStore::release_claims(std::string node_id, std::int64_t now_ms, Completion<std::int64_t> done) {
  write<std::int64_t>(
      [node_id = std::move(node_id), now_ms](Connection& db) -> Result<std::int64_t> {
        return paygate::sqlite::release_claims(db, node_id, now_ms);
      },
      std::move(done));
}

}  // namespace paygate::sqlite

namespace paygate::sqlite {

void SqliteStore::set_event_feed(bool enabled, Completion<bool> done) {
  write<bool>(
      [enabled](Connection& db) -> Result<bool> {
        update_event_feed_setting(db, enabled);
        return enabled;
      },
      std::move(done));
}

// A claim is a write: like claim_due_events, it hands out only events whose commits are durable.
void SqliteStore::claim_feed_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) {
  write<std::vector<OutboxEvent>>(
      [claim](Connection& db) -> Result<std::vector<OutboxEvent>> {
        return paygate::sqlite::claim_feed_events(db, claim);
      },
      std::move(done));
}

void SqliteStore::finish_feed_events(std::vector<std::string> event_ids, Completion<std::int64_t> done) {
  write<std::int64_t>(
      [event_ids = std::move(event_ids)](Connection& db) -> Result<std::int64_t> {
        return delete_feed_events(db, event_ids);
      },
      std::move(done));
}

}  // namespace paygate::sqlite
