#include "app/ledger_queries.h"

#include "app/input_checks.h"
#include "core/time.h"
#include "fmt/format.h"

namespace paygate {

Result<MerchantBalance> LedgerQueries::balance(const MerchantId& merchant_id) {
  return store_.merchant_balance(merchant_id);
}

Result<std::vector<StoredTransfer>> LedgerQueries::transfers(const MerchantId& merchant_id,
                                                             const std::optional<std::string>& order_id,
                                                             const std::optional<std::string>& refund_id) {
  if (order_id.has_value() == refund_id.has_value())
    return invalid_field("order_id", "give exactly one of order_id and refund_id");
  if (refund_id) {
    if (!is_refund_id_syntax(*refund_id)) return make_error(ErrorCode::kRefundNotFound, "refund not found");
    auto refund = store_.find_refund(merchant_id, RefundId{*refund_id});
    if (!refund.ok()) return std::move(refund).error();
    if (!*refund)
      return make_error(ErrorCode::kRefundNotFound, fmt::format("refund_id '{}' not found", *refund_id));
    return store_.list_transfers(merchant_id, (*refund)->order_id, (*refund)->refund_id);
  }
  if (!is_order_id_syntax(*order_id)) return make_error(ErrorCode::kOrderNotFound, "order not found");
  auto order = store_.find_order(merchant_id, OrderId{*order_id});
  if (!order.ok()) return std::move(order).error();
  if (!*order)
    return make_error(ErrorCode::kOrderNotFound, fmt::format("order_id '{}' not found", *order_id));
  return store_.list_transfers(merchant_id, (*order)->order_id, std::nullopt);
}

namespace {

// Minor units as a decimal in major units: 990 fen -> "9.90".
std::string major_units(std::int64_t minor, Currency currency) {
  const int exponent = currency_exponent(currency);
  std::int64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  const bool negative = minor < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string text = fmt::format("{}{}", negative ? "-" : "", magnitude / static_cast<std::uint64_t>(scale));
  if (exponent > 0) text += fmt::format(".{:0{}}", magnitude % static_cast<std::uint64_t>(scale), exponent);
  return text;
}

void write_posting(std::ostream& out, const std::string& account, std::int64_t minor, Currency currency) {
  out << "    " << account << "  " << major_units(minor, currency) << ' ' << currency_code(currency) << '\n';
}

}  // namespace

Status write_ledger_journal(Store& store, std::ostream& out) {
  out << "; paygate ledger export: one transaction per transfer batch; debits positive, credits negative\n";
  std::int64_t open_batch = -1;
  auto status = store.for_each_transfer([&](const StoredTransfer& stored) {
    const ledger::Transfer& transfer = stored.transfer;
    if (stored.batch_id != open_batch) {
      open_batch = stored.batch_id;
      // Dates only: ledger and hledger read "YYYY-MM-DD"; the time stays in the comment.
      const std::string at = format_rfc3339_ms(stored.created_at_ms);
      out << '\n'
          << at.substr(0, 10) << " * " << ledger::to_string(transfer.code) << ' ' << transfer.reference
          << "\n    ; batch: " << stored.batch_id << ", at: " << at;
      if (!stored.order_id.empty()) out << ", order: " << stored.order_id;
      out << '\n';
    }
    write_posting(out, transfer.debit_account, transfer.amount.minor, transfer.amount.currency);
    write_posting(out, transfer.credit_account, -transfer.amount.minor, transfer.amount.currency);
  });
  if (!status) return status;
  out.flush();
  if (!out) return make_error(ErrorCode::kInternal, "the journal could not be written");
  return {};
}

}  // namespace paygate
