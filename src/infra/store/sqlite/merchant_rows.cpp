#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

Merchant read_merchant(const Statement& row) {
  return Merchant{MerchantId{row.column_text(0)}, row.column_text(1),  row.column_text(2),
                  row.column_int64(3) != 0,       row.column_int64(4), row.column_text(5)};
}

}  // namespace

void insert_merchant(Connection& db, const Merchant& merchant) {
  db.prepare(
        "INSERT INTO merchants (merchant_id, name, secret, enabled, created_at_ms, webhook_secret)"
        " VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, merchant.merchant_id.value)
      .bind(2, merchant.name)
      .bind(3, merchant.secret)
      .bind(4, std::int64_t{merchant.enabled ? 1 : 0})
      .bind(5, merchant.created_at_ms)
      .bind(6, merchant.webhook_secret)
      .run();
}

std::optional<Merchant> select_merchant(Connection& db, const MerchantId& merchant_id) {
  auto row = db.prepare(
      "SELECT merchant_id, name, secret, enabled, created_at_ms, webhook_secret FROM merchants"
      " WHERE merchant_id = ?");
  row.bind(1, merchant_id.value);
  if (!row.step()) return std::nullopt;
  return read_merchant(row);
}

std::vector<Merchant> select_merchants(Connection& db) {
  auto row = db.prepare(
      "SELECT merchant_id, name, secret, enabled, created_at_ms, webhook_secret FROM merchants"
      " ORDER BY created_at_ms");
  std::vector<Merchant> merchants;
  while (row.step()) merchants.push_back(read_merchant(row));
  return merchants;
}

Result<Merchant> update_webhook_secret(Connection& db, const MerchantId& merchant_id,
                                       const std::string& secret) {
  db.prepare("UPDATE merchants SET webhook_secret = ? WHERE merchant_id = ?")
      .bind(1, secret)
      .bind(2, merchant_id.value)
      .run();
  auto merchant = select_merchant(db, merchant_id);
  if (!merchant) return make_error(ErrorCode::kMerchantUnknown, "merchant not found");
  return std::move(*merchant);
}

}  // namespace paygate::sqlite
