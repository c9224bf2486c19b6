#include "infra/store/sqlite/migrations.h"

#include "fmt/format.h"

namespace paygate::sqlite {

MigrationReport migrate(Connection& db, std::int64_t now_ms) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL) STRICT");
  MigrationReport report;
  {
    auto current = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    current.step();
    report.from_version = static_cast<int>(current.column_int64(0));
  }
  report.to_version = report.from_version;
  const auto& all = migrations();
  const int known_version = all.empty() ? 0 : all.back().version;
  if (report.from_version > known_version) {
    throw SqliteError(0, fmt::format("database schema version {} is newer than this paygate knows ({})",
                                     report.from_version, known_version));
  }
  for (const Migration& migration : all) {
    if (migration.version <= report.from_version) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)")
          .bind(1, std::int64_t{migration.version})
          .bind(2, std::string_view(migration.name))
          .bind(3, now_ms)
          .run();
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    report.to_version = migration.version;
  }
  return report;
}

}  // namespace paygate::sqlite
