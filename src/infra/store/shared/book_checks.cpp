#include "infra/store/shared/book_checks.h"

#include "fmt/format.h"

namespace paygate::store_rows {
namespace {

constexpr std::size_t kProblemsMax = 50;

void add_problem(LedgerReport& report, std::string problem) {
  if (report.problems.size() < kProblemsMax) report.problems.push_back(std::move(problem));
}

}  // namespace

void check_account(LedgerReport& report, const AccountTotals& account) {
  ++report.accounts;
  report.debits_total_minor += account.debits_posted;
  report.credits_total_minor += account.credits_posted;
  if (account.debits_posted != account.transfer_debits ||
      account.credits_posted != account.transfer_credits) {
    add_problem(report, fmt::format("{}: totals {}/{} differ from its transfers {}/{}", account.code,
                                    account.debits_posted, account.credits_posted, account.transfer_debits,
                                    account.transfer_credits));
  }
  if (account.debits_must_not_exceed_credits && account.debits_posted > account.credits_posted)
    add_problem(report, account.code + ": debits exceed credits");
  if (account.credits_must_not_exceed_debits && account.credits_posted > account.debits_posted)
    add_problem(report, account.code + ": credits exceed debits");
}

void check_ledger_totals(LedgerReport& report, std::int64_t transfers, std::int64_t transfers_missing_account,
                         std::int64_t transfers_in_other_currency) {
  if (report.debits_total_minor != report.credits_total_minor) {
    add_problem(report, fmt::format("debits {} and credits {} differ", report.debits_total_minor,
                                    report.credits_total_minor));
  }
  report.transfers = transfers;
  if (transfers_missing_account != 0) {
    add_problem(report,
                fmt::format("{} transfers name an account that does not exist", transfers_missing_account));
  }
  if (transfers_in_other_currency != 0) {
    add_problem(report, fmt::format("{} transfers differ in currency from their accounts",
                                    transfers_in_other_currency));
  }
}

void check_order(LedgerReport& report, const OrderBooks& order) {
  ++report.orders_checked;
  const std::string& id = order.order_id;
  const OrderStatus status = order.status;
  const std::int64_t amount = order.amount_minor;
  const std::int64_t refunded = order.refunded_minor;
  const std::int64_t refunding = order.refunding_minor;
  const bool paid = status == OrderStatus::kSucceeded || status == OrderStatus::kPartiallyRefunded ||
                    status == OrderStatus::kRefunded;
  const std::int64_t expected_paid = paid ? amount : 0;
  if (order.ledger_paid_minor != expected_paid) {
    add_problem(report, fmt::format("order {} is {} but the ledger holds {} paid of {}", id,
                                    to_string(status), order.ledger_paid_minor, amount));
  }
  if (order.ledger_refunded_minor != refunded || order.refunds_succeeded_minor != refunded) {
    add_problem(report, fmt::format("order {} refunded {}: ledger {}, succeeded refunds {}", id, refunded,
                                    order.ledger_refunded_minor, order.refunds_succeeded_minor));
  }
  if (order.refunds_pending_minor != refunding) {
    add_problem(report, fmt::format("order {} reserves {} for pending refunds totalling {}", id, refunding,
                                    order.refunds_pending_minor));
  }
  if (refunded + refunding > expected_paid) {
    add_problem(report, fmt::format("order {} refunds {} + {} pass the paid {}", id, refunded, refunding,
                                    expected_paid));
  }
  const bool status_fits = status == OrderStatus::kRefunded            ? refunded == amount
                           : status == OrderStatus::kPartiallyRefunded ? refunded > 0 && refunded < amount
                                                                       : refunded == 0;
  if (!status_fits) {
    add_problem(report, fmt::format("order {} is {} with {} of {} refunded", id, to_string(status), refunded,
                                    amount));
  }
}

Status books_verdict(const LedgerReport& report) {
  if (report.sound()) return {};
  return make_error(ErrorCode::kLedgerInvariantViolated,
                    fmt::format("ledger invariant broken: {}", report.problems.front()));
}

}  // namespace paygate::store_rows
