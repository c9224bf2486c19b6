// Merchants (secrets sealed at rest), operators and the append-only audit log.
#include <algorithm>

#include "crypto/secret_box.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/merchant_secrets.h"

namespace paygate::postgres {
namespace {

using store_rows::seal_merchant_secret;

// A stored secret that does not open is refused with the row, never served as an empty secret.
std::string open_secret(const crypto::SecretBox& box, std::string_view column, const MerchantId& id,
                        const std::string& stored) {
  auto opened = store_rows::open_merchant_secret(box, column, id, stored);
  if (!opened.ok()) throw PgError("XX000", opened.error().message, false);
  return std::move(opened).value();
}

#define PAYGATE_MERCHANT_COLUMNS                                                        \
  "merchant_id, name, secret, enabled, created_at_ms, webhook_secret, secret_version, " \
  "webhook_secret_version"

Merchant read_merchant(const Rows& row, const crypto::SecretBox& box) {
  Merchant merchant{MerchantId{row.column_text(0)}, row.column_text(1), "", row.column_int64(3) != 0,
                    row.column_int64(4)};
  merchant.secret = open_secret(box, "secret", merchant.merchant_id, row.column_text(2));
  merchant.webhook_secret = open_secret(box, "webhook_secret", merchant.merchant_id, row.column_text(5));
  merchant.secret_version = static_cast<std::int32_t>(row.column_int64(6));
  merchant.webhook_secret_version = static_cast<std::int32_t>(row.column_int64(7));
  return merchant;
}

}  // namespace

void insert_merchant(Connection& db, const crypto::SecretBox& box, const Merchant& merchant) {
  db.run("INSERT INTO merchants (" PAYGATE_MERCHANT_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
         {merchant.merchant_id.value, merchant.name,
          seal_merchant_secret(box, "secret", merchant.merchant_id, merchant.secret), merchant.enabled,
          merchant.created_at_ms,
          seal_merchant_secret(box, "webhook_secret", merchant.merchant_id, merchant.webhook_secret),
          merchant.secret_version, merchant.webhook_secret_version});
}

std::optional<Merchant> select_merchant(Connection& db, const crypto::SecretBox& box,
                                        const MerchantId& merchant_id, bool lock) {
  auto row =
      lock ? db.query("SELECT " PAYGATE_MERCHANT_COLUMNS " FROM merchants WHERE merchant_id = $1 FOR UPDATE",
                      {merchant_id.value})
           : db.query("SELECT " PAYGATE_MERCHANT_COLUMNS " FROM merchants WHERE merchant_id = $1",
                      {merchant_id.value});
  if (!row.next()) return std::nullopt;
  return read_merchant(row, box);
}

std::vector<Merchant> select_merchants(Connection& db, const crypto::SecretBox& box) {
  auto row =
      db.query("SELECT " PAYGATE_MERCHANT_COLUMNS " FROM merchants ORDER BY created_at_ms, merchant_id");
  std::vector<Merchant> merchants;
  while (row.next()) merchants.push_back(read_merchant(row, box));
  return merchants;
}

Result<Merchant> update_merchant(Connection& db, const crypto::SecretBox& box, const MerchantChange& change) {
  auto merchant = select_merchant(db, box, change.merchant_id, true);
  if (!merchant) return make_error(ErrorCode::kMerchantNotFound, "merchant_id: no such merchant");
  if (change.enabled) merchant->enabled = *change.enabled;
  if (change.secret) {
    merchant->secret = *change.secret;
    ++merchant->secret_version;
  }
  if (change.webhook_secret) {
    merchant->webhook_secret = *change.webhook_secret;
    ++merchant->webhook_secret_version;
  }
  db.run(
      "UPDATE merchants SET enabled = $1, secret = $2, webhook_secret = $3, secret_version = $4,"
      " webhook_secret_version = $5 WHERE merchant_id = $6",
      {merchant->enabled, seal_merchant_secret(box, "secret", merchant->merchant_id, merchant->secret),
       seal_merchant_secret(box, "webhook_secret", merchant->merchant_id, merchant->webhook_secret),
       merchant->secret_version, merchant->webhook_secret_version, merchant->merchant_id.value});
  return std::move(*merchant);
}

std::int64_t seal_secrets(Connection& db, const crypto::SecretBox& box, bool plaintext_only) {
  struct Row {
    MerchantId id;
    std::string secret;
    std::string webhook_secret;
  };
  std::vector<Row> rows;
  {
    auto row =
        db.query("SELECT merchant_id, secret, webhook_secret FROM merchants ORDER BY merchant_id FOR UPDATE");
    while (row.next())
      rows.push_back(Row{MerchantId{row.column_text(0)}, row.column_text(1), row.column_text(2)});
  }
  std::int64_t sealed = 0;
  for (Row& row : rows) {
    if (!store_rows::needs_sealing(box, row.secret, plaintext_only) &&
        !store_rows::needs_sealing(box, row.webhook_secret, plaintext_only))
      continue;
    const auto plain = [&](std::string_view column, const std::string& stored) {
      auto opened = store_rows::plain_merchant_secret(box, column, row.id, stored);
      if (!opened.ok()) throw PgError("XX000", opened.error().message, false);
      return std::move(opened).value();
    };
    db.run("UPDATE merchants SET secret = $1, webhook_secret = $2 WHERE merchant_id = $3",
           {seal_merchant_secret(box, "secret", row.id, plain("secret", row.secret)),
            seal_merchant_secret(box, "webhook_secret", row.id, plain("webhook_secret", row.webhook_secret)),
            row.id.value});
    ++sealed;
  }
  return sealed;
}

std::vector<std::string> select_sealing_key_ids(Connection& db) {
  std::vector<std::string> ids;
  auto row = db.query("SELECT secret, webhook_secret FROM merchants");
  while (row.next()) {
    for (int column : {0, 1}) {
      auto id = crypto::SecretBox::key_id_of(row.column_text(column));
      if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    }
  }
  return ids;
}

void insert_operator(Connection& db, const Operator& op, const std::string& key_sha256_hex) {
  db.run(
      "INSERT INTO operators (operator_id, name, role, key_sha256, created_at_ms) VALUES ($1, $2, $3, $4, "
      "$5)",
      {op.operator_id, op.name, to_string(op.role), key_sha256_hex, op.created_at_ms});
}

std::optional<Operator> select_operator_by_key(Connection& db, const std::string& key_sha256_hex) {
  auto row = db.query(
      "SELECT operator_id, name, role, created_at_ms FROM operators WHERE key_sha256 = $1 AND revoked_at_ms "
      "IS NULL",
      {key_sha256_hex});
  if (!row.next()) return std::nullopt;
  return Operator{row.column_text(0), row.column_text(1),
                  parse_operator_role(row.column_text(2)).value_or(OperatorRole::kViewer),
                  row.column_int64(3)};
}

void insert_audit(Connection& db, const AuditEntry& entry) {
  db.run(
      "INSERT INTO audit_log (at_ms, operator_id, action, target, before_json, after_json, request_id)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {entry.at_ms, entry.operator_id, entry.action, entry.target, entry.before_json, entry.after_json,
       entry.request_id});
}

AuditPage select_audit(Connection& db, const AuditQuery& query) {
  auto row = db.query(
      "SELECT audit_id, at_ms, operator_id, action, target, before_json, after_json, request_id FROM "
      "audit_log"
      " WHERE audit_id < $1 ORDER BY audit_id DESC LIMIT $2",
      {query.before_audit_id.value_or(INT64_MAX), std::int64_t{query.limit} + 1});
  AuditPage page;
  while (row.next()) {
    page.entries.push_back(AuditEntry{row.column_int64(0), row.column_int64(1), row.column_text(2),
                                      row.column_text(3), row.column_text(4), row.column_text(5),
                                      row.column_text(6), row.column_text(7)});
  }
  if (page.entries.size() > query.limit) {
    page.entries.pop_back();
    page.has_more = true;
  }
  return page;
}

}  // namespace paygate::postgres
