// The Store port: every durable command and query the app needs. SQLite implements it today; a PostgreSQL
// adapter implements the same commands as transactions (uniqueness and compare-and-set in SQL).
//
// Writes complete asynchronously: the Completion runs once the command is durable (or failed), on a store
// thread, so it must be cheap and hand work back to its caller's executor. Reads are synchronous and
// thread-safe; they see every write whose completion has run, and may see a committed write up to one fsync
// before it is durable (its completion has not run yet). The outbox reads (claim_due_events, list_events)
// return only durable events, since what they return leaves the process on our own initiative.
#pragma once

#include "ports/idempotency_store.h"
#include "ports/ledger_store.h"
#include "ports/merchant_store.h"
#include "ports/order_store.h"
#include "ports/outbox_store.h"
#include "ports/refund_store.h"

namespace paygate {

// Every port of the store, one adapter behind all of them. Use cases can take the one they need.
class Store : public MerchantStore,
              public OrderStore,
              public RefundStore,
              public LedgerStore,
              public OutboxStore,
              public IdempotencyStore {
 public:
  // Stops taking writes, commits everything queued, and returns when the last completion has run.
  virtual void drain() = 0;
  // Gives back every item node_id's previous run had claimed and not finished: due at now_ms again. Called
  // by a node as it starts, before its jobs run (its old claims are its own; no one else's are touched).
  virtual void release_claims(std::string node_id, std::int64_t now_ms, Completion<std::int64_t> done) = 0;
};

}  // namespace paygate
