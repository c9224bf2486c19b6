#include "infra/store/postgres/ledger_postings.h"

#include <algorithm>
#include <array>
#include <map>

#include "domain/ledger/batch_rules.h"
#include "fmt/format.h"

namespace paygate::postgres {
namespace {

Error refusal(std::string message) {
  return make_error(ErrorCode::kLedgerInvariantViolated, std::move(message));
}

// An arbitrary constant: the advisory lock that lets one roll-up run at a time across nodes.
constexpr std::int64_t kRollUpLock = 0x70617967'6c656467;  // "paygledg"

// Multi-row INSERTs, one statement for up to kRowsMax rows (a statement costs the server more than a row):
// the texts for 1..kRowsMax rows are built once and kept, since each one keys a prepared statement.
constexpr std::size_t kRowsMax = 8;

std::array<std::string, kRowsMax + 1> multi_row_inserts(std::string_view head, std::size_t columns) {
  std::array<std::string, kRowsMax + 1> texts;
  for (std::size_t rows = 1; rows <= kRowsMax; ++rows) {
    std::string sql = std::string(head) + " VALUES ";
    for (std::size_t row = 0; row < rows; ++row) {
      sql += row == 0 ? "(" : ", (";
      for (std::size_t column = 0; column < columns; ++column)
        sql += fmt::format("{}${}", column == 0 ? "" : ", ", row * columns + column + 1);
      sql += ")";
    }
    texts[rows] = std::move(sql);
  }
  return texts;
}

const char* transfers_insert(std::size_t rows) {
  static const auto texts = multi_row_inserts(
      "INSERT INTO ledger_transfers (transfer_id, batch_id, debit_account, credit_account, amount_minor,"
      " currency, code, reference, order_id, created_at_ms, merchant_id)",
      11);
  return texts[rows].c_str();
}

const char* deltas_insert(std::size_t rows) {
  static const auto texts = multi_row_inserts("INSERT INTO ledger_account_deltas (code, debits, credits)", 3);
  return texts[rows].c_str();
}

struct Effect {
  Currency currency = Currency::kCny;
  std::int64_t debits = 0;
  std::int64_t credits = 0;
};

// The account as stored (creating it on first use, with the chart's rules for its code).
Result<AccountCache::Entry> account_of(Connection& db, AccountCache& accounts, const std::string& code,
                                       Currency currency, std::int64_t at_ms) {
  if (auto cached = accounts.find(code)) return *cached;
  auto rules = ledger::account_rules(code);
  if (!rules.ok()) return refusal(rules.error().message);
  const std::int64_t created = db.run(
      "INSERT INTO ledger_accounts (code, type, currency, debits_must_not_exceed_credits,"
      " credits_must_not_exceed_debits, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)"
      " ON CONFLICT (code) DO NOTHING",
      {code, ledger::to_string(rules->type), currency_code(currency), rules->debits_must_not_exceed_credits,
       rules->credits_must_not_exceed_debits, at_ms});
  auto row = db.query(
      "SELECT currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits FROM ledger_accounts"
      " WHERE code = $1",
      {code});
  if (!row.next()) return refusal(code + ": account vanished");
  const auto stored_currency = parse_currency(row.column_text(0));
  if (!stored_currency) return refusal(code + ": stored with an unknown currency");
  AccountCache::Entry entry{*stored_currency, row.column_int64(1) != 0, row.column_int64(2) != 0};
  if (created == 0) accounts.remember(code, entry);  // committed by someone: it cannot roll back now
  return entry;
}

}  // namespace

std::optional<AccountCache::Entry> AccountCache::find(const std::string& code) const {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(code); it != entries_.end()) return it->second;
  return std::nullopt;
}

namespace {
thread_local std::vector<std::pair<std::string, AccountCache::Entry>> staged_accounts;
}  // namespace

void AccountCache::remember(const std::string& code, const Entry& entry) {
  staged_accounts.emplace_back(code, entry);
}

void AccountCache::transaction_committed() {
  if (staged_accounts.empty()) return;
  std::lock_guard lock(mutex_);
  for (auto& [code, entry] : staged_accounts) entries_.insert_or_assign(std::move(code), entry);
  staged_accounts.clear();
}

void AccountCache::transaction_failed() { staged_accounts.clear(); }

Result<std::int64_t> post_batch(Connection& db, AccountCache& accounts, const ledger::TransferBatch& batch,
                                const PostingContext& context) {
  if (batch.empty()) return refusal("an empty transfer batch moves nothing");
  // Sorted by code: rows that must be locked are locked in one order by every transaction (no deadlocks).
  std::map<std::string, Effect> effects;
  for (const ledger::Transfer& transfer : batch) {
    if (auto problem = ledger::transfer_problem(transfer)) return refusal(std::move(*problem));
    for (const auto& [code, debit] :
         {std::pair{&transfer.debit_account, true}, std::pair{&transfer.credit_account, false}}) {
      auto [it, fresh] = effects.try_emplace(*code, Effect{transfer.amount.currency, 0, 0});
      if (auto problem = ledger::currency_problem(*code, it->second.currency, transfer.amount.currency))
        return refusal(std::move(*problem));
      (debit ? it->second.debits : it->second.credits) += transfer.amount.minor;
    }
  }
  for (const auto& [code, effect] : effects) {
    auto account = account_of(db, accounts, code, effect.currency, context.at_ms);
    if (!account.ok()) return std::move(account).error();
    if (auto problem = ledger::currency_problem(code, account->currency, effect.currency))
      return refusal(std::move(*problem));
    // Only a move towards the account's limit can break its flag: that one account is locked and its
    // balance (row plus deltas, read after the lock) checked with this batch applied.
    const bool towards_limit = (account->debits_must_not_exceed_credits && effect.debits > effect.credits) ||
                               (account->credits_must_not_exceed_debits && effect.credits > effect.debits);
    if (!towards_limit) continue;
    auto locked = db.query(
        "SELECT debits_posted, credits_posted FROM ledger_accounts WHERE code = $1 FOR UPDATE", {code});
    if (!locked.next()) return refusal(code + ": account vanished");
    auto pending = db.query(
        "SELECT COALESCE(SUM(debits), 0), COALESCE(SUM(credits), 0) FROM ledger_account_deltas WHERE code = "
        "$1",
        {code});
    pending.next();
    const std::int64_t debits = locked.column_int64(0) + pending.column_int64(0) + effect.debits;
    const std::int64_t credits = locked.column_int64(1) + pending.column_int64(1) + effect.credits;
    if (auto problem = ledger::balance_problem(code, account->debits_must_not_exceed_credits,
                                               account->credits_must_not_exceed_debits, debits, credits))
      return refusal(std::move(*problem));
  }
  auto ids = db.query("SELECT nextval('ledger_transfers_transfer_id_seq') FROM generate_series(1, $1)",
                      {static_cast<std::int64_t>(batch.size())});
  std::vector<std::int64_t> transfer_ids;
  while (ids.next()) transfer_ids.push_back(ids.column_int64(0));
  std::sort(transfer_ids.begin(), transfer_ids.end());
  const std::int64_t batch_id = transfer_ids.front();
  std::vector<Param> row_values;
  for (std::size_t first = 0; first < batch.size(); first += kRowsMax) {
    const std::size_t rows = std::min(kRowsMax, batch.size() - first);
    row_values.clear();
    for (std::size_t i = first; i < first + rows; ++i) {
      const ledger::Transfer& transfer = batch[i];
      for (Param value : {Param(transfer_ids[i]), Param(batch_id), Param(transfer.debit_account),
                          Param(transfer.credit_account), Param(transfer.amount.minor),
                          Param(currency_code(transfer.amount.currency)),
                          Param(ledger::to_string(transfer.code)), Param(transfer.reference),
                          Param(context.order_id), Param(context.at_ms), Param(context.merchant_id)})
        row_values.push_back(std::move(value));
    }
    db.run(transfers_insert(rows), row_values);
  }
  std::vector<std::pair<const std::string*, const Effect*>> moved;
  for (const auto& [code, effect] : effects) moved.emplace_back(&code, &effect);
  for (std::size_t first = 0; first < moved.size(); first += kRowsMax) {
    const std::size_t rows = std::min(kRowsMax, moved.size() - first);
    row_values.clear();
    for (std::size_t i = first; i < first + rows; ++i) {
      row_values.emplace_back(*moved[i].first);
      row_values.emplace_back(moved[i].second->debits);
      row_values.emplace_back(moved[i].second->credits);
    }
    db.run(deltas_insert(rows), row_values);
  }
  return batch_id;
}

std::int64_t roll_up_deltas(Connection& db, std::int64_t limit) {
  db.exec("BEGIN");
  try {
    auto locked = db.query("SELECT pg_try_advisory_xact_lock($1)", {kRollUpLock});
    locked.next();
    std::int64_t folded = 0;
    if (locked.column_int64(0) != 0) {
      // The deltas are deleted and added to their rows in one statement, so a reader (one snapshot) sees
      // each delta exactly once: in the table or in its row. Accounts whose row a posting holds right now
      // (a wallet being debited) are skipped, not waited for: the roll-up never makes a posting wait long,
      // and never deadlocks with one.
      auto rows = db.query(
          "WITH locked AS (SELECT a.code FROM ledger_accounts a WHERE a.code IN"
          "   (SELECT DISTINCT code FROM ledger_account_deltas) ORDER BY a.code LIMIT $1 FOR UPDATE SKIP "
          "LOCKED),"
          " moved AS (DELETE FROM ledger_account_deltas WHERE code IN (SELECT code FROM locked)"
          "   RETURNING code, debits, credits),"
          " sums AS (SELECT code, SUM(debits) AS debits, SUM(credits) AS credits, COUNT(*) AS n"
          "   FROM moved GROUP BY code),"
          " updated AS (UPDATE ledger_accounts a SET debits_posted = a.debits_posted + s.debits,"
          "   credits_posted = a.credits_posted + s.credits FROM sums s WHERE a.code = s.code RETURNING s.n)"
          " SELECT COALESCE(SUM(n), 0) FROM updated",
          {limit});
      rows.next();
      folded = rows.column_int64(0);
    }
    db.exec("COMMIT");
    return folded;
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace paygate::postgres
