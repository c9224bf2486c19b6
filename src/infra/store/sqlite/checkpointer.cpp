#include "infra/store/sqlite/checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <chrono>

#include "core/log.h"
#include "infra/store/sqlite/durability_lost.h"

namespace paygate::sqlite {

Checkpointer::Checkpointer(const std::string& path, Connection& writer, std::uint32_t wal_pages_trigger,
                           MetricsRegistry& metrics)
    : db_(std::make_unique<Connection>(path, OpenMode::kReadWrite)),
      wal_pages_trigger_(wal_pages_trigger),
      checkpoint_seconds_(metrics.histogram("paygate_store_checkpoint_seconds",
                                            "Background WAL checkpoint time", {}, latency_buckets_seconds())),
      checkpoint_failures_(
          metrics.counter("paygate_store_checkpoint_failures_total", "WAL checkpoints that failed")) {
  // A connection only checkpoints a WAL it has opened; this statement opens it (the mode is already WAL).
  db_->exec("PRAGMA journal_mode = WAL");
  writer.exec("PRAGMA wal_autocheckpoint = 0");
  sqlite3_wal_hook(writer.handle(), &Checkpointer::on_commit, this);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "paygate-ckpt");
    run();
  });
}

Checkpointer::~Checkpointer() { stop(); }

// Runs on the writer thread right after each commit: it only flips a flag, never does I/O.
int Checkpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (static_cast<std::uint32_t>(wal_pages) >= checkpointer->wal_pages_trigger_) {
    std::lock_guard lock(checkpointer->mutex_);
    if (!checkpointer->requested_) {
      checkpointer->requested_ = true;
      checkpointer->wanted_.notify_one();
    }
  }
  return SQLITE_OK;
}

void Checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    wanted_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  checkpoint(SQLITE_CHECKPOINT_TRUNCATE);
}

void Checkpointer::run() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wanted_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
    }
    // PASSIVE never blocks the writer; frames committed meanwhile wait for the next round.
    checkpoint(SQLITE_CHECKPOINT_PASSIVE);
  }
}

void Checkpointer::checkpoint(int mode) {
  const auto started = std::chrono::steady_clock::now();
  int wal_pages = 0;
  int checkpointed_pages = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, mode, &wal_pages, &checkpointed_pages);
  checkpoint_seconds_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  log::debug("store_checkpoint",
             {{"rc", rc}, {"wal_pages", wal_pages}, {"checkpointed_pages", checkpointed_pages}});
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    // A checkpoint fsyncs the WAL before it copies frames and the database before it lets the log be
    // reused; either failing may have dropped pages (durability_lost.h). Other failures (a full disk)
    // leave everything in the WAL and are retried by the next checkpoint.
    const int extended = sqlite3_extended_errcode(db_->handle());
    if (extended == SQLITE_IOERR_FSYNC || extended == SQLITE_IOERR_DIR_FSYNC)
      durability_lost("checkpoint", sqlite3_errstr(extended));
    checkpoint_failures_.increment();
    log::warn("store_checkpoint_failed", {{"error", sqlite3_errstr(rc)}});
  }
}

}  // namespace paygate::sqlite
