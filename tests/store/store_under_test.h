// The stores the conformance suite runs against: each test opens a fresh, empty store of one kind through
// the same factory, so every test holds for SQLite and PostgreSQL alike. PostgreSQL comes from
// tests/support/with_postgres.sh (PAYGATE_TEST_POSTGRES_URL); without it the postgres tests fail, never
// skip.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/time.h"
#include "ports/store.h"
#include "tests/integration/harness.h"
#include "tests/integration/ledger_tools.h"

namespace paygate::test {

struct StoreOptions {
  bool verify_ledger_each_command = false;
  std::uint32_t writer_queue_max = 65'536;
};

class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual Store& store() = 0;
  // Runs SQL straight on the database, behind the store's back (tampering, peeking).
  virtual void execute(const std::string& sql) = 0;
  // debits − credits of every account, read straight from the database.
  virtual Balances balances() = 0;
  // Makes every acknowledged write visible to a fresh reopen, then reopens (a restart of the node).
  virtual void reopen() = 0;
  // Another node on the same data: a second PostgreSQL store on the same database; on SQLite, which has
  // one node by design, the same store.
  virtual Store& second_node() = 0;
};

// kind: "sqlite" or "postgres". Fails the calling test (and returns nullptr) when the store cannot open.
std::unique_ptr<StoreUnderTest> open_store_under_test(const std::string& kind, const Clock& clock,
                                                      MetricsRegistry& metrics,
                                                      const StoreOptions& options = {});

// Both kinds, for INSTANTIATE_TEST_SUITE_P.
inline const char* const kStoreKinds[] = {"sqlite", "postgres"};

}  // namespace paygate::test
