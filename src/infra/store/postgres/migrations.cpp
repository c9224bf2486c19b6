#include "infra/store/postgres/migrations.h"

#include "fmt/format.h"

namespace paygate::postgres {
namespace {

constexpr std::int64_t kMigrationLock = 0x70617967'6d696772;  // "paygmigr"

}  // namespace

int schema_version(Connection& db) {
  auto exists = db.query("SELECT to_regclass('schema_migrations') IS NOT NULL");
  exists.next();
  if (exists.column_int64(0) == 0) return 0;
  auto current = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  current.next();
  return static_cast<int>(current.column_int64(0));
}

MigrationReport migrate(Connection& db, std::int64_t now_ms) {
  db.exec("BEGIN");
  try {
    db.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)");
    MigrationReport report;
    report.from_version = schema_version(db);
    report.to_version = report.from_version;
    const auto& all = migrations();
    const int known_version = all.empty() ? 0 : all.back().version;
    if (report.from_version > known_version) {
      throw PgError("XX000",
                    fmt::format("database schema version {} is newer than this paygate knows ({})",
                                report.from_version, known_version),
                    false);
    }
    for (const Migration& migration : all) {
      if (migration.version <= report.from_version) continue;
      db.exec(migration.sql);
      db.run("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)",
             {migration.version, migration.name, now_ms});
      report.to_version = migration.version;
    }
    db.exec("COMMIT");
    return report;
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace paygate::postgres
