#include "infra/store/sqlite/account_book.h"

#include <algorithm>

#include "domain/ledger/batch_rules.h"
#include "fmt/format.h"

namespace paygate::sqlite {
namespace {

Error refusal(std::string message) {
  return make_error(ErrorCode::kLedgerInvariantViolated, std::move(message));
}

}  // namespace

AccountBook::Account* AccountBook::find(Connection& db, const std::string& code) {
  if (auto it = accounts_.find(code); it != accounts_.end()) return &it->second;
  auto row = db.prepare(
      "SELECT currency, debits_posted, credits_posted, debits_must_not_exceed_credits,"
      " credits_must_not_exceed_debits, created_at_ms FROM ledger_accounts WHERE code = ?");
  row.bind(1, code);
  if (!row.step()) return nullptr;
  auto rules = ledger::account_rules(code);
  const auto currency = parse_currency(row.column_text(0));
  if (!rules.ok() || !currency) return nullptr;  // a row the chart does not know: refused by post()
  rules->debits_must_not_exceed_credits = row.column_int64(3) != 0;
  rules->credits_must_not_exceed_debits = row.column_int64(4) != 0;
  Account account{*rules, *currency, row.column_int64(1), row.column_int64(2), row.column_int64(5),
                  true,   false};
  return &accounts_.emplace(code, account).first->second;
}

void AccountBook::remember(const std::string& code, const Account* before) {
  for (const auto& entry : undo_) {
    if (entry.first == code) return;
  }
  undo_.emplace_back(code, before ? std::optional<Account>(*before) : std::nullopt);
}

std::int64_t AccountBook::next_transfer_id(Connection& db) {
  if (next_transfer_id_ == 0) {
    auto row = db.prepare("SELECT COALESCE(MAX(transfer_id), 0) + 1 FROM ledger_transfers");
    row.step();
    next_transfer_id_ = row.column_int64(0);
  }
  return next_transfer_id_;
}

Result<std::int64_t> AccountBook::post(Connection& db, const ledger::TransferBatch& batch,
                                       const PostingContext& context) {
  if (batch.empty()) return refusal("an empty transfer batch moves nothing");
  // The batch's effect on each account it touches, worked out on copies: nothing changes unless all of it
  // is valid.
  struct Touched {
    const std::string* code;
    Account next;
    bool existed;
  };
  std::vector<Touched> touched;
  touched.reserve(batch.size() * 2);
  auto get = [&](const std::string& code, Currency currency) -> Result<Account*> {
    for (Touched& t : touched) {
      if (*t.code == code) return &t.next;
    }
    if (Account* existing = find(db, code)) {
      touched.push_back(Touched{&code, *existing, true});
    } else {
      auto rules = ledger::account_rules(code);
      if (!rules.ok()) return refusal(rules.error().message);
      touched.push_back(Touched{&code, Account{*rules, currency, 0, 0, context.at_ms, false, false}, false});
    }
    if (auto problem = ledger::currency_problem(code, touched.back().next.currency, currency))
      return refusal(std::move(*problem));
    return &touched.back().next;
  };
  for (const ledger::Transfer& transfer : batch) {
    if (auto problem = ledger::transfer_problem(transfer)) return refusal(std::move(*problem));
    auto debit = get(transfer.debit_account, transfer.amount.currency);
    if (!debit.ok()) return std::move(debit).error();
    (*debit)->debits_posted += transfer.amount.minor;
    auto credit = get(transfer.credit_account, transfer.amount.currency);
    if (!credit.ok()) return std::move(credit).error();
    (*credit)->credits_posted += transfer.amount.minor;
  }
  for (const Touched& t : touched) {
    const Account& a = t.next;
    if (auto problem = ledger::balance_problem(*t.code, a.rules.debits_must_not_exceed_credits,
                                               a.rules.credits_must_not_exceed_debits, a.debits_posted,
                                               a.credits_posted))
      return refusal(std::move(*problem));
  }
  // Valid: record the transfers, then keep the new balances (remembering the old ones for an undo).
  if (!in_command_) {
    in_command_ = true;
    next_transfer_id_before_command_ = next_transfer_id_;
  }
  const std::int64_t batch_id = next_transfer_id(db);
  for (const ledger::Transfer& transfer : batch) {
    db.prepare(
          "INSERT INTO ledger_transfers (transfer_id, batch_id, debit_account, credit_account, amount_minor,"
          " currency, code, reference, order_id, created_at_ms, merchant_id)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, next_transfer_id_++)
        .bind(2, batch_id)
        .bind(3, transfer.debit_account)
        .bind(4, transfer.credit_account)
        .bind(5, transfer.amount.minor)
        .bind(6, currency_code(transfer.amount.currency))
        .bind(7, ledger::to_string(transfer.code))
        .bind(8, transfer.reference)
        .bind(9, context.order_id)
        .bind(10, context.at_ms)
        .bind(11, context.merchant_id)
        .run();
  }
  for (Touched& t : touched) {
    auto it = accounts_.find(*t.code);
    remember(*t.code, t.existed ? &it->second : nullptr);
    const bool was_dirty = t.existed && it->second.dirty;
    t.next.dirty = true;
    accounts_.insert_or_assign(*t.code, t.next);
    if (!was_dirty) dirty_.push_back(*t.code);
  }
  return batch_id;
}

void AccountBook::flush(Connection& db) {
  for (const std::string& code : dirty_) {
    auto it = accounts_.find(code);
    if (it == accounts_.end() || !it->second.dirty) continue;
    Account& account = it->second;
    flushed_in_command_.emplace_back(code, account.stored);
    if (account.stored) {
      db.prepare("UPDATE ledger_accounts SET debits_posted = ?, credits_posted = ? WHERE code = ?")
          .bind(1, account.debits_posted)
          .bind(2, account.credits_posted)
          .bind(3, code)
          .run();
    } else {
      db.prepare(
            "INSERT INTO ledger_accounts (code, type, currency, debits_posted, credits_posted,"
            " debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, code)
          .bind(2, ledger::to_string(account.rules.type))
          .bind(3, currency_code(account.currency))
          .bind(4, account.debits_posted)
          .bind(5, account.credits_posted)
          .bind(6, std::int64_t{account.rules.debits_must_not_exceed_credits})
          .bind(7, std::int64_t{account.rules.credits_must_not_exceed_debits})
          .bind(8, account.created_at_ms)
          .run();
      account.stored = true;
    }
    account.dirty = false;
  }
  dirty_.clear();
}

void AccountBook::before_commit(Connection& db) {
  flush(db);
  flushed_in_command_.clear();  // outside any command: nothing of it can be undone alone
}

void AccountBook::command_kept() {
  undo_.clear();
  flushed_in_command_.clear();
  in_command_ = false;
}

void AccountBook::command_undone() {
  for (auto& [code, before] : undo_) {
    if (before) {
      accounts_.insert_or_assign(code, *before);
    } else {
      accounts_.erase(code);
    }
  }
  // Rows this command flushed were rolled back with it: they lag their entries again.
  for (const auto& [code, stored_before] : flushed_in_command_) {
    auto it = accounts_.find(code);
    if (it == accounts_.end()) continue;
    it->second.stored = stored_before;
    if (!it->second.dirty) {
      it->second.dirty = true;
      dirty_.push_back(code);
    }
  }
  if (in_command_) next_transfer_id_ = next_transfer_id_before_command_;
  command_kept();
}

void AccountBook::batch_failed() {
  accounts_.clear();
  dirty_.clear();
  undo_.clear();
  flushed_in_command_.clear();
  in_command_ = false;
  next_transfer_id_ = 0;
}

}  // namespace paygate::sqlite
