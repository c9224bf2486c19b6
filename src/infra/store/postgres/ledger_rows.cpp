// The ledger's reads and `ledger verify` on PostgreSQL. An account's totals are its row plus its deltas not
// yet rolled up (ledger_postings.h); each read below sums both in one statement, so in one snapshot.
#include "core/assert.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/book_checks.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::postgres {

using store_rows::read_currency;
using store_rows::read_transfer;

MerchantBalance select_merchant_balance(Connection& db, const MerchantId& merchant_id) {
  MerchantBalance balance;
  auto account = db.query(
      "SELECT (a.credits_posted + COALESCE(SUM(d.credits), 0)) - (a.debits_posted + COALESCE(SUM(d.debits), "
      "0))"
      " FROM ledger_accounts a LEFT JOIN ledger_account_deltas d ON d.code = a.code WHERE a.code = $1"
      " GROUP BY a.code, a.credits_posted, a.debits_posted",
      {ledger::merchant_payable(merchant_id.value)});
  if (account.next()) balance.payable_minor = account.column_int64(0);
  auto pending = db.query(
      "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE status = 'pending' AND merchant_id = $1",
      {merchant_id.value});
  pending.next();
  balance.refunds_pending_minor = pending.column_int64(0);
  return balance;
}

std::vector<StoredTransfer> select_transfers(Connection& db, const MerchantId& merchant_id,
                                             const OrderId& order_id,
                                             const std::optional<RefundId>& refund_id) {
  auto rows = db.query("SELECT " PAYGATE_TRANSFER_COLUMNS
                       " FROM ledger_transfers WHERE order_id = $1 AND order_id <> '' AND merchant_id = $2"
                       " AND (debit_account = $3 OR credit_account = $3)"
                       " AND ($4::text IS NULL OR reference = $4) ORDER BY transfer_id",
                       {order_id.value, merchant_id.value, ledger::merchant_payable(merchant_id.value),
                        refund_id ? Param(refund_id->value) : Param(std::nullopt)});
  std::vector<StoredTransfer> out;
  while (rows.next()) out.push_back(read_transfer(rows));
  return out;
}

// Each account's deltas not yet folded into its row.
#define PAYGATE_PENDING_DELTAS                                                   \
  "WITH pending AS (SELECT code, SUM(debits) AS debits, SUM(credits) AS credits" \
  "   FROM ledger_account_deltas GROUP BY code)"

std::vector<LedgerAccountRow> select_ledger_accounts(Connection& db) {
  auto rows = db.query(PAYGATE_PENDING_DELTAS
                       " SELECT a.code, a.type, a.currency, a.debits_posted + COALESCE(p.debits, 0),"
                       " a.credits_posted + COALESCE(p.credits, 0)"
                       " FROM ledger_accounts a LEFT JOIN pending p ON p.code = a.code ORDER BY a.code");
  std::vector<LedgerAccountRow> out;
  while (rows.next()) {
    const auto type = store_rows::parse_account_type(rows.column_text(1));
    PAYGATE_ASSERT(type.has_value());
    out.push_back(LedgerAccountRow{rows.column_text(0), *type, read_currency(rows, 2), rows.column_int64(3),
                                   rows.column_int64(4)});
  }
  return out;
}

void visit_transfers(Connection& db, const std::function<void(const StoredTransfer&)>& visit) {
  // A cursor, so a journal of millions of transfers is streamed, not held in memory. The caller runs this
  // inside a REPEATABLE READ transaction: one snapshot, complete and balanced.
  db.exec("DECLARE transfers NO SCROLL CURSOR FOR SELECT " PAYGATE_TRANSFER_COLUMNS
          " FROM ledger_transfers ORDER BY transfer_id");
  for (;;) {
    auto rows = db.query("FETCH 1000 FROM transfers");
    if (rows.size() == 0) break;
    while (rows.next()) visit(read_transfer(rows));
  }
  db.exec("CLOSE transfers");
}

namespace {

void check_accounts(Connection& db, LedgerReport& report) {
  auto rows = db.query(
      PAYGATE_PENDING_DELTAS
      ","
      " d AS (SELECT debit_account AS code, SUM(amount_minor) AS total FROM ledger_transfers GROUP BY "
      "debit_account),"
      " c AS (SELECT credit_account AS code, SUM(amount_minor) AS total FROM ledger_transfers GROUP BY "
      "credit_account)"
      " , totals AS (SELECT a.code, a.debits_posted + COALESCE(p.debits, 0) AS debits,"
      "   a.credits_posted + COALESCE(p.credits, 0) AS credits, a.debits_must_not_exceed_credits AS dnec,"
      "   a.credits_must_not_exceed_debits AS cned FROM ledger_accounts a LEFT JOIN pending p ON p.code = "
      "a.code)"
      " SELECT t.code, t.debits, t.credits, t.dnec, t.cned, COALESCE(d.total, 0), COALESCE(c.total, 0)"
      " FROM totals t LEFT JOIN d ON d.code = t.code LEFT JOIN c ON c.code = t.code ORDER BY t.code");
  while (rows.next()) {
    store_rows::check_account(
        report, {rows.column_text(0), rows.column_int64(1), rows.column_int64(2), rows.column_int64(3) != 0,
                 rows.column_int64(4) != 0, rows.column_int64(5), rows.column_int64(6)});
  }
  auto transfers = db.query(
      "SELECT COUNT(*), COUNT(*) FILTER (WHERE d.code IS NULL OR c.code IS NULL),"
      " COUNT(*) FILTER (WHERE t.currency <> d.currency OR t.currency <> c.currency)"
      " FROM ledger_transfers t LEFT JOIN ledger_accounts d ON d.code = t.debit_account"
      " LEFT JOIN ledger_accounts c ON c.code = t.credit_account");
  transfers.next();
  store_rows::check_ledger_totals(report, transfers.column_int64(0), transfers.column_int64(1),
                                  transfers.column_int64(2));
}

void check_orders(Connection& db, LedgerReport& report, const std::optional<std::string>& order_id) {
  auto rows = db.query(
      "SELECT o.order_id, o.status, o.amount_minor, o.refunded_minor, o.refunding_minor,"
      " COALESCE((SELECT SUM(amount_minor) FROM ledger_transfers t WHERE t.order_id = o.order_id"
      "   AND t.order_id <> '' AND t.code IN ('payment', 'late_payment')"
      "   AND t.credit_account = $2 || o.merchant_id), 0),"
      " COALESCE((SELECT SUM(amount_minor) FROM ledger_transfers t WHERE t.order_id = o.order_id"
      "   AND t.order_id <> '' AND t.code = 'refund' AND t.debit_account = $2 || o.merchant_id), 0),"
      " COALESCE((SELECT SUM(amount_minor) FROM refunds r WHERE r.order_id = o.order_id"
      "   AND r.status = 'succeeded'), 0),"
      " COALESCE((SELECT SUM(amount_minor) FROM refunds r WHERE r.order_id = o.order_id"
      "   AND r.status = 'pending'), 0)"
      " FROM orders o WHERE ($1::text IS NULL OR o.order_id = $1)",
      {order_id, "liability:merchant_payable:"});
  while (rows.next()) {
    const auto status = parse_order_status(rows.column_text(1));
    PAYGATE_ASSERT(status.has_value());
    store_rows::check_order(report, {rows.column_text(0), *status, rows.column_int64(2), rows.column_int64(3),
                                     rows.column_int64(4), rows.column_int64(5), rows.column_int64(6),
                                     rows.column_int64(7), rows.column_int64(8)});
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

}  // namespace paygate::postgres
