#include "crypto/secret_box.h"
#include "infra/store/shared/merchant_secrets.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

using store_rows::seal_merchant_secret;

// A stored secret that does not open is refused with the row, never served as an empty secret.
std::string open_secret(const crypto::SecretBox& box, std::string_view column, const MerchantId& id,
                        const std::string& stored) {
  auto opened = store_rows::open_merchant_secret(box, column, id, stored);
  if (!opened.ok()) throw SqliteError(0, opened.error().message);
  return std::move(opened).value();
}

constexpr const char* kMerchantColumns =
    "merchant_id, name, secret, enabled, created_at_ms, webhook_secret, secret_version, "
    "webhook_secret_version";

Merchant read_merchant(const Statement& row, const crypto::SecretBox& box) {
  Merchant merchant{MerchantId{row.column_text(0)}, row.column_text(1), "", row.column_int64(3) != 0,
                    row.column_int64(4)};
  merchant.secret = open_secret(box, "secret", merchant.merchant_id, row.column_text(2));
  merchant.webhook_secret = open_secret(box, "webhook_secret", merchant.merchant_id, row.column_text(5));
  merchant.secret_version = static_cast<std::int32_t>(row.column_int64(6));
  merchant.webhook_secret_version = static_cast<std::int32_t>(row.column_int64(7));
  return merchant;
}

void write_secrets(Connection& db, const MerchantId& id, const std::string& sealed_secret,
                   const std::string& sealed_webhook_secret) {
  db.prepare("UPDATE merchants SET secret = ?, webhook_secret = ? WHERE merchant_id = ?")
      .bind(1, sealed_secret)
      .bind(2, sealed_webhook_secret)
      .bind(3, id.value)
      .run();
}

}  // namespace

void insert_merchant(Connection& db, const crypto::SecretBox& box, const Merchant& merchant) {
  db.prepare(
        "INSERT INTO merchants (merchant_id, name, secret, enabled, created_at_ms, webhook_secret,"
        " secret_version, webhook_secret_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, merchant.merchant_id.value)
      .bind(2, merchant.name)
      .bind(3, seal_merchant_secret(box, "secret", merchant.merchant_id, merchant.secret))
      .bind(4, std::int64_t{merchant.enabled ? 1 : 0})
      .bind(5, merchant.created_at_ms)
      .bind(6, seal_merchant_secret(box, "webhook_secret", merchant.merchant_id, merchant.webhook_secret))
      .bind(7, std::int64_t{merchant.secret_version})
      .bind(8, std::int64_t{merchant.webhook_secret_version})
      .run();
}

std::optional<Merchant> select_merchant(Connection& db, const crypto::SecretBox& box,
                                        const MerchantId& merchant_id) {
  static const std::string sql =
      std::string("SELECT ") + kMerchantColumns + " FROM merchants WHERE merchant_id = ?";
  auto row = db.prepare(sql.c_str());
  row.bind(1, merchant_id.value);
  if (!row.step()) return std::nullopt;
  return read_merchant(row, box);
}

std::vector<Merchant> select_merchants(Connection& db, const crypto::SecretBox& box) {
  static const std::string sql =
      std::string("SELECT ") + kMerchantColumns + " FROM merchants ORDER BY created_at_ms";
  auto row = db.prepare(sql.c_str());
  std::vector<Merchant> merchants;
  while (row.step()) merchants.push_back(read_merchant(row, box));
  return merchants;
}

Result<Merchant> update_merchant(Connection& db, const crypto::SecretBox& box, const MerchantChange& change) {
  auto merchant = select_merchant(db, box, change.merchant_id);
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
  db.prepare(
        "UPDATE merchants SET enabled = ?, secret = ?, webhook_secret = ?, secret_version = ?,"
        " webhook_secret_version = ? WHERE merchant_id = ?")
      .bind(1, std::int64_t{merchant->enabled ? 1 : 0})
      .bind(2, seal_merchant_secret(box, "secret", merchant->merchant_id, merchant->secret))
      .bind(3, seal_merchant_secret(box, "webhook_secret", merchant->merchant_id, merchant->webhook_secret))
      .bind(4, std::int64_t{merchant->secret_version})
      .bind(5, std::int64_t{merchant->webhook_secret_version})
      .bind(6, merchant->merchant_id.value)
      .run();
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
    auto row = db.prepare("SELECT merchant_id, secret, webhook_secret FROM merchants");
    while (row.step())
      rows.push_back(Row{MerchantId{row.column_text(0)}, row.column_text(1), row.column_text(2)});
  }
  std::int64_t sealed = 0;
  for (Row& row : rows) {
    if (!store_rows::needs_sealing(box, row.secret, plaintext_only) &&
        !store_rows::needs_sealing(box, row.webhook_secret, plaintext_only))
      continue;
    const auto plain = [&](std::string_view column, const std::string& stored) {
      auto opened = store_rows::plain_merchant_secret(box, column, row.id, stored);
      if (!opened.ok()) throw SqliteError(0, opened.error().message);
      return std::move(opened).value();
    };
    write_secrets(
        db, row.id, seal_merchant_secret(box, "secret", row.id, plain("secret", row.secret)),
        seal_merchant_secret(box, "webhook_secret", row.id, plain("webhook_secret", row.webhook_secret)));
    ++sealed;
  }
  return sealed;
}

std::vector<std::string> select_sealing_key_ids(Connection& db) {
  std::vector<std::string> ids;
  auto row = db.prepare("SELECT secret, webhook_secret FROM merchants");
  while (row.step()) {
    for (int column : {0, 1}) {
      auto id = crypto::SecretBox::key_id_of(row.column_text(column));
      if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    }
  }
  return ids;
}

void insert_operator(Connection& db, const Operator& op, const std::string& key_sha256_hex) {
  db.prepare(
        "INSERT INTO operators (operator_id, name, role, key_sha256, created_at_ms) VALUES (?, ?, ?, ?, ?)")
      .bind(1, op.operator_id)
      .bind(2, op.name)
      .bind(3, to_string(op.role))
      .bind(4, key_sha256_hex)
      .bind(5, op.created_at_ms)
      .run();
}

std::optional<Operator> select_operator_by_key(Connection& db, const std::string& key_sha256_hex) {
  auto row = db.prepare(
      "SELECT operator_id, name, role, created_at_ms FROM operators"
      " WHERE key_sha256 = ? AND revoked_at_ms IS NULL");
  row.bind(1, key_sha256_hex);
  if (!row.step()) return std::nullopt;
  return Operator{row.column_text(0), row.column_text(1),
                  parse_operator_role(row.column_text(2)).value_or(OperatorRole::kViewer),
                  row.column_int64(3)};
}

void insert_audit(Connection& db, const AuditEntry& entry) {
  db.prepare(
        "INSERT INTO audit_log (at_ms, operator_id, action, target, before_json, after_json, request_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, entry.at_ms)
      .bind(2, entry.operator_id)
      .bind(3, entry.action)
      .bind(4, entry.target)
      .bind(5, entry.before_json)
      .bind(6, entry.after_json)
      .bind(7, entry.request_id)
      .run();
}

AuditPage select_audit(Connection& db, const AuditQuery& query) {
  auto row = db.prepare(
      "SELECT audit_id, at_ms, operator_id, action, target, before_json, after_json, request_id FROM "
      "audit_log"
      " WHERE audit_id < ? ORDER BY audit_id DESC LIMIT ?");
  row.bind(1, query.before_audit_id.value_or(INT64_MAX)).bind(2, std::int64_t{query.limit} + 1);
  AuditPage page;
  while (row.step()) {
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

}  // namespace paygate::sqlite
