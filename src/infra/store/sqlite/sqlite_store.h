// The Store on SQLite: WAL, one group-committing writer whose batches a WalSyncer makes durable (fdatasync
// off the writer thread), and a pool of reader connections.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/time.h"
#include "crypto/secret_box.h"
#include "infra/store/sqlite/account_book.h"
#include "infra/store/sqlite/checkpointer.h"
#include "infra/store/sqlite/group_commit_writer.h"
#include "infra/store/sqlite/migrations.h"
#include "ports/store.h"

namespace paygate::sqlite {

struct SqliteStoreOptions {
  std::string path;
  GroupCommitLimits limits;
  std::uint32_t readers = 4;
  std::uint32_t reader_wait_ms = 2'000;  // a read waits this long for a free reader, then STORE_BUSY
  // WAL pages between background checkpoints. The default, about 32 MiB (SQLite's own autocheckpoint is
  // 1000 pages): pages written by many commits in a row (the newest leaves of every append-mostly index)
  // are copied into the database once per checkpoint, so a longer interval copies fewer of them (measured:
  // checkpointer CPU per notify -25% against 1000 pages). Recovery replays at most this much log.
  std::uint32_t checkpoint_wal_pages = 8'000;
  // Runs the ledger checks inside every ledger-touching command before it commits; a command that would
  // break one is refused with LEDGER_INVARIANT_VIOLATED. Costs a pass over the transfers: tests and
  // debugging only.
  bool verify_ledger_each_command = false;
  // Seals merchant secrets at rest (required; infra/secrets/master_key_file.h makes one from the master key).
  std::shared_ptr<const crypto::SecretBox> secrets;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database, applies pending migrations and starts the writer.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteStoreOptions& options,
                                                   MetricsRegistry& metrics, const Clock& clock);
  // Applies pending migrations only.
  static Result<MigrationReport> migrate_only(const std::string& path, const Clock& clock);

  ~SqliteStore() override;

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
  class ReaderPool;
  SqliteStore(std::unique_ptr<AccountBook> book, std::unique_ptr<GroupCommitWriter> writer,
              std::unique_ptr<Checkpointer> checkpointer, std::unique_ptr<ReaderPool> readers,
              bool verify_ledger_each_command, std::shared_ptr<const crypto::SecretBox> secrets);

  template <class T, class Body>
  void write(Body body, Completion<T> done);
  // A write that moves money: with verify_ledger_each_command, the books are checked before it commits.
  // order_of(result) names the order whose books it touched ("" for none).
  template <class T, class Body, class OrderOf>
  void write_money(Body body, OrderOf order_of, Completion<T> done);
  template <class T, class Query>
  Result<T> read(Query query);

  std::shared_ptr<const crypto::SecretBox> secrets_;
  std::unique_ptr<AccountBook> book_;  // the writer's; declared first so that it outlives the writer
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<ReaderPool> readers_;
  const bool verify_ledger_each_command_;
};

}  // namespace paygate::sqlite
