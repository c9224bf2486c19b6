// Which store the gateways under test run on, and how a test looks inside it. `make test` runs the
// integration suite twice: on SQLite (the default) and with PAYGATE_TEST_STORE=postgres under
// tests/support/with_postgres.sh, where every data dir gets a PostgreSQL database of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/ledger_tools.h"

namespace paygate::test {

bool testing_postgres();
// "NAME=value" entries that point a gateway or CLI run on data_dir at its store ({} on SQLite).
std::vector<std::string> store_environment(const std::string& data_dir);
// The same entries for PostgreSQL whichever store the suite runs on (a database of data_dir's own), with the
// suite's Redis (PAYGATE_TEST_REDIS_URL) that PostgreSQL nodes need.
std::vector<std::string> postgres_environment(const std::string& data_dir);
// pg_ctl on the suite's server (tests/support/with_postgres.sh) as the cluster's owner: "stop" (mode: fast,
// immediate …) or "start". Returns pg_ctl's exit status.
int postgres_ctl(const std::string& action, const std::string& mode = "fast");
// The first column of the first row of a query on data_dir's store (plain SQL both stores accept).
std::int64_t query_store_int(const std::string& data_dir, const std::string& sql);
// debits − credits of every account of a PostgreSQL store (rolled-up rows plus deltas not yet folded).
Balances postgres_balances(const std::string& url);
// debits − credits of every account in data_dir's store.
Balances stored_balances(const std::string& data_dir);
// Everything the store holds about merchants' secrets, as stored (files on SQLite, the column values on
// PostgreSQL): a test checks no plain secret is in it.
std::string stored_merchant_secrets(const std::string& data_dir);

}  // namespace paygate::test
