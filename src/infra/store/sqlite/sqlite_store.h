// The Store on SQLite: WAL, synchronous=FULL, one group-committing writer and a pool of reader connections.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/time.h"
#include "infra/store/sqlite/checkpointer.h"
#include "infra/store/sqlite/group_commit_writer.h"
#include "infra/store/sqlite/migrations.h"
#include "ports/store.h"

namespace paygate::sqlite {

struct SqliteStoreOptions {
  std::string path;
  GroupCommitLimits limits;
  std::uint32_t readers = 4;
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

  void create_order(Order order, Completion<CreatedOrder> done) override;
  void apply_order_event(OrderEventCommand command, Completion<OrderEventOutcome> done) override;
  Result<std::optional<Order>> find_order(const MerchantId& merchant_id, const OrderId& order_id) override;
  Result<std::optional<Order>> find_order_by_out_trade_no(const MerchantId& merchant_id,
                                                          const std::string& out_trade_no) override;
  Result<OrderPage> list_orders(const OrderQuery& query) override;

  Result<std::optional<Order>> find_order_by_id(const OrderId& order_id) override;
  void attach_payment(PaymentAttachment attachment, Completion<Order> done) override;
  void choose_channel(OrderId order_id, Channel channel, std::string method, std::string account_id,
                      Completion<Order> done) override;
  void apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) override;

  void claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) override;
  void finish_idempotency_key(IdempotencyResult result, Completion<bool> done) override;

  void drain() override;

 private:
  class ReaderPool;
  SqliteStore(std::unique_ptr<GroupCommitWriter> writer, std::unique_ptr<Checkpointer> checkpointer,
              std::unique_ptr<ReaderPool> readers);

  template <class T, class Body>
  void write(Body body, Completion<T> done);
  template <class T, class Query>
  Result<T> read(Query query);

  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<ReaderPool> readers_;
};

}  // namespace paygate::sqlite
