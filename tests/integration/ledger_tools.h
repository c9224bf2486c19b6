// The standard plain-text accounting tools as independent judges of an exported journal: what `ledger` and
// `hledger` say each account's balance is, in minor units (debits positive), next to what our store says.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace paygate::test {

using Balances = std::map<std::string, std::int64_t>;

// Runs `paygate ledger export` for the data dir and returns the journal's path (inside data_dir).
std::string export_journal(const std::string& data_dir);
// `ledger -f FILE balance`, per account; accounts at zero included.
Balances ledger_tool_balances(const std::string& journal);
// `hledger -f FILE balance -O csv`, per account (zero accounts omitted), and its "total" row.
Balances hledger_tool_balances(const std::string& journal, std::int64_t& total_minor);
// debits_posted − credits_posted of every account in the store's SQLite file.
Balances store_balances(const std::string& sqlite_path);
// Drops accounts at zero, to compare with a tool that omits them.
Balances nonzero(const Balances& balances);

}  // namespace paygate::test
