// The columns of orders, refunds, outbox events and ledger transfers, and how a row of them reads back: one
// definition for every adapter. Both schemas name these columns alike; a Row is anything with
// column_text(i), column_int64(i) and column_is_null(i) (sqlite::Statement, postgres::Rows).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/assert.h"
#include "domain/event_delivery.h"
#include "domain/ledger/transfer.h"
#include "domain/order.h"
#include "domain/refund.h"
#include "ports/ledger_store.h"

namespace paygate::store_rows {

#define PAYGATE_ORDER_COLUMNS                                                                           \
  "order_id, merchant_id, out_trade_no, amount_minor, currency, subject, channel, method, notify_url, " \
  "metadata, client_ip, user_id, status, version, created_at_ms, updated_at_ms, expires_at_ms, "        \
  "request_fingerprint, channel_account_id, payment_url, channel_trade_no, paid_at_ms, "                \
  "merchant_fee_bps, channel_fee_bps, fee_rounding, refund_fees, refunded_minor, refunding_minor, "     \
  "query_attempts, next_query_at_ms, late_payment, payment_params"

#define PAYGATE_REFUND_COLUMNS                                                                            \
  "refund_id, merchant_id, order_id, out_refund_no, amount_minor, currency, reason, notify_url, status, " \
  "version, created_at_ms, updated_at_ms, succeeded_at_ms, failure_code, failure_message, "               \
  "request_fingerprint, channel_attempts, next_channel_check_ms"

#define PAYGATE_EVENT_COLUMNS                                                                     \
  "event_id, merchant_id, order_id, type, payload, created_at_ms, notify_url, status, attempts, " \
  "next_attempt_at_ms, last_http_status, last_error, delivered_at_ms"

#define PAYGATE_TRANSFER_COLUMNS                                                                    \
  "transfer_id, batch_id, debit_account, credit_account, amount_minor, currency, code, reference, " \
  "order_id, created_at_ms"

template <class Row>
Currency read_currency(const Row& row, int column) {
  const auto currency = parse_currency(row.column_text(column));
  PAYGATE_ASSERT(currency.has_value());  // the store only ever writes currencies it knows
  return *currency;
}

template <class Row>
Order read_order(const Row& row) {
  Order order;
  order.order_id = OrderId{row.column_text(0)};
  order.merchant_id = MerchantId{row.column_text(1)};
  order.out_trade_no = row.column_text(2);
  order.amount = Money{row.column_int64(3), read_currency(row, 4)};
  order.subject = row.column_text(5);
  if (!row.column_is_null(6)) order.channel = parse_channel(row.column_text(6));
  order.method = row.column_text(7);
  order.notify_url = row.column_text(8);
  order.metadata_json = row.column_text(9);
  order.client_ip = row.column_text(10);
  order.user_id = row.column_text(11);
  const auto status = parse_order_status(row.column_text(12));
  PAYGATE_ASSERT(status.has_value());
  order.status = *status;
  order.version = row.column_int64(13);
  order.created_at_ms = row.column_int64(14);
  order.updated_at_ms = row.column_int64(15);
  order.expires_at_ms = row.column_int64(16);
  order.request_fingerprint = row.column_text(17);
  order.channel_account_id = row.column_text(18);
  order.payment_url = row.column_text(19);
  order.channel_trade_no = row.column_text(20);
  order.paid_at_ms = row.column_int64(21);
  order.fees.merchant_rate_bps = static_cast<std::int32_t>(row.column_int64(22));
  order.fees.channel_rate_bps = static_cast<std::int32_t>(row.column_int64(23));
  const auto rounding = ledger::parse_rounding(row.column_text(24));
  PAYGATE_ASSERT(rounding.has_value());
  order.fees.rounding = *rounding;
  order.fees.refund_fees = row.column_int64(25) != 0;
  order.refunded_minor = row.column_int64(26);
  order.refunding_minor = row.column_int64(27);
  order.query_attempts = static_cast<std::int32_t>(row.column_int64(28));
  order.next_query_at_ms = row.column_int64(29);
  order.late_payment = row.column_int64(30) != 0;
  order.payment_params_json = row.column_text(31);
  return order;
}

template <class Row>
Refund read_refund(const Row& row) {
  Refund refund;
  refund.refund_id = RefundId{row.column_text(0)};
  refund.merchant_id = MerchantId{row.column_text(1)};
  refund.order_id = OrderId{row.column_text(2)};
  refund.out_refund_no = row.column_text(3);
  refund.amount = Money{row.column_int64(4), read_currency(row, 5)};
  refund.reason = row.column_text(6);
  refund.notify_url = row.column_text(7);
  const auto status = parse_refund_status(row.column_text(8));
  PAYGATE_ASSERT(status.has_value());
  refund.status = *status;
  refund.version = row.column_int64(9);
  refund.created_at_ms = row.column_int64(10);
  refund.updated_at_ms = row.column_int64(11);
  refund.succeeded_at_ms = row.column_int64(12);
  refund.failure_code = row.column_text(13);
  refund.failure_message = row.column_text(14);
  refund.request_fingerprint = row.column_text(15);
  refund.channel_attempts = static_cast<std::int32_t>(row.column_int64(16));
  refund.next_channel_check_ms = row.column_int64(17);
  return refund;
}

template <class Row>
OutboxEvent read_event(const Row& row) {
  OutboxEvent event;
  event.event_id = row.column_text(0);
  event.merchant_id = MerchantId{row.column_text(1)};
  event.order_id = OrderId{row.column_text(2)};
  event.type = row.column_text(3);
  event.payload = row.column_text(4);
  event.created_at_ms = row.column_int64(5);
  event.notify_url = row.column_text(6);
  const auto status = parse_delivery_status(row.column_text(7));
  PAYGATE_ASSERT(status.has_value());
  event.status = *status;
  event.attempts = static_cast<std::int32_t>(row.column_int64(8));
  event.next_attempt_at_ms = row.column_int64(9);
  event.last_http_status = static_cast<std::int32_t>(row.column_int64(10));
  event.last_error = row.column_text(11);
  event.delivered_at_ms = row.column_int64(12);
  return event;
}

template <class Row>
StoredTransfer read_transfer(const Row& row) {
  StoredTransfer out;
  out.transfer_id = row.column_int64(0);
  out.batch_id = row.column_int64(1);
  out.transfer.debit_account = row.column_text(2);
  out.transfer.credit_account = row.column_text(3);
  out.transfer.amount = Money{row.column_int64(4), read_currency(row, 5)};
  const auto code = ledger::parse_transfer_code(row.column_text(6));
  PAYGATE_ASSERT(code.has_value());  // the store only ever writes codes it knows
  out.transfer.code = *code;
  out.transfer.reference = row.column_text(7);
  out.order_id = row.column_text(8);
  out.created_at_ms = row.column_int64(9);
  return out;
}

std::optional<ledger::AccountType> parse_account_type(std::string_view text);

}  // namespace paygate::store_rows
