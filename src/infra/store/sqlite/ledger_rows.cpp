// The durable ledger's reads, and the checks that prove no money was created or lost (postings: AccountBook).

#include "core/assert.h"
#include "fmt/format.h"
#include "infra/store/shared/book_checks.h"
#include "infra/store/shared/row_readers.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
using store_rows::read_currency;
using store_rows::read_transfer;

MerchantBalance select_merchant_balance(Connection& db, const MerchantId& merchant_id) {
  MerchantBalance balance;
  auto account = db.prepare("SELECT credits_posted - debits_posted FROM ledger_accounts WHERE code = ?");
  account.bind(1, ledger::merchant_payable(merchant_id.value));
  if (account.step()) balance.payable_minor = account.column_int64(0);
  auto pending = db.prepare(
      "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE status = 'pending' AND merchant_id = ?");
  pending.bind(1, merchant_id.value);
  pending.step();
  balance.refunds_pending_minor = pending.column_int64(0);
  return balance;
}

std::vector<StoredTransfer> select_transfers(Connection& db, const MerchantId& merchant_id,
                                             const OrderId& order_id,
                                             const std::optional<RefundId>& refund_id) {
  auto row = db.prepare("SELECT " PAYGATE_TRANSFER_COLUMNS
                        " FROM ledger_transfers WHERE order_id = ?1 AND order_id <> '' AND merchant_id = ?2"
                        " AND (debit_account = ?3 OR credit_account = ?3)"
                        " AND (?4 IS NULL OR reference = ?4) ORDER BY transfer_id");
  row.bind(1, order_id.value)
      .bind(2, merchant_id.value)
      .bind(3, ledger::merchant_payable(merchant_id.value))
      .bind(4, refund_id ? std::optional<std::string>(refund_id->value) : std::nullopt);
  std::vector<StoredTransfer> out;
  while (row.step()) out.push_back(read_transfer(row));
  return out;
}

std::vector<LedgerAccountRow> select_ledger_accounts(Connection& db) {
  auto row = db.prepare(
      "SELECT code, type, currency, debits_posted, credits_posted FROM ledger_accounts ORDER BY code");
  std::vector<LedgerAccountRow> out;
  while (row.step()) {
    const auto type = store_rows::parse_account_type(row.column_text(1));
    PAYGATE_ASSERT(type.has_value());
    out.push_back(LedgerAccountRow{row.column_text(0), *type, read_currency(row, 2), row.column_int64(3),
                                   row.column_int64(4)});
  }
  return out;
}

void visit_transfers(Connection& db, const std::function<void(const StoredTransfer&)>& visit) {
  auto row = db.prepare("SELECT " PAYGATE_TRANSFER_COLUMNS " FROM ledger_transfers ORDER BY transfer_id");
  while (row.step()) visit(read_transfer(row));
}

namespace {

// Every account's totals equal the sums of its transfers, each transfer is in its accounts' currency,
// the flags hold, and Σ debits = Σ credits.
void check_accounts(Connection& db, LedgerReport& report) {
  // One pass over the transfers per side (no per-account index is kept: it would slow every posting).
  auto row = db.prepare(
      "WITH d AS (SELECT debit_account AS code, SUM(amount_minor) AS total FROM ledger_transfers"
      "           GROUP BY debit_account),"
      "     c AS (SELECT credit_account AS code, SUM(amount_minor) AS total FROM ledger_transfers"
      "           GROUP BY credit_account)"
      " SELECT a.code, a.debits_posted, a.credits_posted,"
      " a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits,"
      " COALESCE(d.total, 0), COALESCE(c.total, 0)"
      " FROM ledger_accounts a LEFT JOIN d ON d.code = a.code LEFT JOIN c ON c.code = a.code"
      " ORDER BY a.code");
  while (row.step()) {
    store_rows::check_account(
        report, {row.column_text(0), row.column_int64(1), row.column_int64(2), row.column_int64(3) != 0,
                 row.column_int64(4) != 0, row.column_int64(5), row.column_int64(6)});
  }
  auto transfers = db.prepare(
      "SELECT COUNT(*), COALESCE(SUM(d.code IS NULL OR c.code IS NULL), 0),"
      " COALESCE(SUM(t.currency <> d.currency OR t.currency <> c.currency), 0)"
      " FROM ledger_transfers t LEFT JOIN ledger_accounts d ON d.code = t.debit_account"
      " LEFT JOIN ledger_accounts c ON c.code = t.credit_account");
  transfers.step();
  store_rows::check_ledger_totals(report, transfers.column_int64(0), transfers.column_int64(1),
                                  transfers.column_int64(2));
}

// What the books say about each order, against its state (store_rows::check_order).
constexpr const char* kOrderBooksSql =
    "SELECT o.order_id, o.status, o.amount_minor, o.refunded_minor, o.refunding_minor,"
    // "t.order_id <> ''" lets SQLite use the partial index on order_id (without it: a scan per order).
    " COALESCE((SELECT SUM(amount_minor) FROM ledger_transfers t WHERE t.order_id = o.order_id"
    "   AND t.order_id <> '' AND t.code IN ('payment', 'late_payment')"
    "   AND t.credit_account = ?2 || o.merchant_id), 0),"
    " COALESCE((SELECT SUM(amount_minor) FROM ledger_transfers t WHERE t.order_id = o.order_id"
    "   AND t.order_id <> '' AND t.code = 'refund' AND t.debit_account = ?2 || o.merchant_id), 0),"
    " COALESCE((SELECT SUM(amount_minor) FROM refunds r WHERE r.order_id = o.order_id"
    "   AND r.status = 'succeeded'), 0),"
    " COALESCE((SELECT SUM(amount_minor) FROM refunds r WHERE r.order_id = o.order_id"
    "   AND r.status = 'pending'), 0)"
    " FROM orders o WHERE (?1 IS NULL OR o.order_id = ?1)";

void check_orders(Connection& db, LedgerReport& report, const std::optional<std::string>& order_id) {
  auto row = db.prepare(kOrderBooksSql);
  row.bind(1, order_id).bind(2, std::string_view("liability:merchant_payable:"));
  while (row.step()) {
    const auto status = parse_order_status(row.column_text(1));
    PAYGATE_ASSERT(status.has_value());
    store_rows::check_order(
        report, {row.column_text(0), *status, row.column_int64(2), row.column_int64(3), row.column_int64(4),
                 row.column_int64(5), row.column_int64(6), row.column_int64(7), row.column_int64(8)});
  }
}

}  // namespace

LedgerReport verify_books(Connection& db) {
  LedgerReport report;
  check_accounts(db, report);
  check_orders(db, report, std::nullopt);
  return report;
}

Status check_books_after_command(Connection& db, const OrderId& order_id) {
  LedgerReport report;
  check_accounts(db, report);
  if (!order_id.value.empty()) check_orders(db, report, order_id.value);
  return store_rows::books_verdict(report);
}

}  // namespace paygate::sqlite
