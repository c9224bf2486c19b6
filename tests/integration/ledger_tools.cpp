#include "tests/integration/ledger_tools.h"

#include <cstdio>
#include <stdexcept>

#include "infra/store/sqlite/connection.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  if (pclose(pipe) != 0) throw std::runtime_error(command + " failed:\n" + out);
  return out;
}

// "-99.41", "0.6", "100" (major units, CNY: two decimals at most) -> minor units, exactly.
std::int64_t minor_units(std::string text) {
  if (auto space = text.find(' '); space != std::string::npos) text.resize(space);
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.erase(0, 1);
  const auto dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (fraction.size() > 2) throw std::runtime_error("more than two decimals: " + text);
  fraction.resize(2, '0');
  const std::int64_t value = std::stoll(whole.empty() ? "0" : whole) * 100 + std::stoll(fraction);
  return negative ? -value : value;
}

}  // namespace

std::string export_journal(const std::string& data_dir) {
  const std::string journal = data_dir + "/export.ledger";
  const ProcessResult result = run_paygate({"ledger", "export", "--data-dir", data_dir, journal});
  if (result.exit_code != 0) throw std::runtime_error("ledger export failed: " + result.output);
  return journal;
}

Balances ledger_tool_balances(const std::string& journal) {
  const std::string out = run("ledger -f '" + journal +
                              "' balance --flat --no-total --empty"
                              " --balance-format '%(account)\\t%(quantity(scrub(display_total)))\\n'");
  Balances balances;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    balances[line.substr(0, tab)] = minor_units(line.substr(tab + 1));
  }
  return balances;
}

Balances hledger_tool_balances(const std::string& journal, std::int64_t& total_minor) {
  const std::string out = run("hledger -f '" + journal + "' balance --flat -O csv");
  Balances balances;
  total_minor = -1;
  std::size_t start = out.find('\n') + 1;  // past the header row
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    std::string line = out.substr(start, end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // "account","balance"
    const auto split = line.find("\",\"");
    if (line.size() < 5 || split == std::string::npos) continue;
    const std::string account = line.substr(1, split - 1);
    const std::int64_t value = minor_units(line.substr(split + 3, line.size() - split - 4));
    if (account == "total") {
      total_minor = value;
    } else {
      balances[account] = value;
    }
  }
  return balances;
}

Balances store_balances(const std::string& sqlite_path) {
  sqlite::Connection db(sqlite_path, sqlite::OpenMode::kReadOnly);
  auto row = db.prepare("SELECT code, debits_posted - credits_posted FROM ledger_accounts");
  Balances balances;
  while (row.step()) balances[row.column_text(0)] = row.column_int64(1);
  return balances;
}

Balances nonzero(const Balances& balances) {
  Balances out;
  for (const auto& [account, minor] : balances) {
    if (minor != 0) out.emplace(account, minor);
  }
  return out;
}

}  // namespace paygate::test
