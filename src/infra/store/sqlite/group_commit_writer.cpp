#include "infra/store/sqlite/group_commit_writer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <chrono>
#include <exception>

#include "core/log.h"

namespace paygate::sqlite {
namespace {

const std::vector<double>& batch_size_buckets() {
  static const std::vector<double> buckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
  return buckets;
}

// A completion that throws is a bug in its caller; it must not take the writer (and every later write) down.
template <class F>
void guarded(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log::error("store_completion_threw", {{"error", e.what()}});
  }
}

}  // namespace

void log_write_failure(const char* what) { log::error("store_write_failed", {{"error", what}}); }

void complete_batch(CommandBatch& batch, bool committed) {
  for (auto& command : batch) guarded([&] { command->complete(committed); });
}

namespace {

std::string wal_path_of(Connection& db) {
  return sqlite3_filename_wal(sqlite3_db_filename(db.handle(), "main"));
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> db, GroupCommitLimits limits,
                                     MetricsRegistry& metrics, BatchParticipant* participant)
    : db_(std::move(db)),
      limits_(limits),
      participant_(participant),
      syncer_(wal_path_of(*db_), metrics),
      batch_size_(metrics.histogram("paygate_store_batch_size", "Commands per group commit", {},
                                    batch_size_buckets())),
      commit_seconds_(
          metrics.histogram("paygate_store_commit_seconds",
                            "Time to apply and commit one batch (its fsync follows on the syncer)", {},
                            latency_buckets_seconds())),
      commit_statement_seconds_(metrics.histogram("paygate_store_commit_statement_seconds",
                                                  "Time of the COMMIT statement alone (writing the WAL)", {},
                                                  latency_buckets_seconds())),
      queue_depth_(metrics.gauge("paygate_store_queue_depth", "Write commands waiting for the writer")),
      refused_busy_(
          metrics.counter("paygate_store_refused_total", "Writes refused because the queue was full")),
      commit_failures_(
          metrics.counter("paygate_store_commit_failures_total", "Batches that failed to commit")),
      batch_reruns_(metrics.counter("paygate_store_batch_reruns_total",
                                    "Batches applied again command by command because a failing command "
                                    "had written rows")) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "paygate-writer");
    run();
  });
}

GroupCommitWriter::~GroupCommitWriter() { drain(); }

void GroupCommitWriter::submit(std::unique_ptr<WriteCommand> command) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < limits_.queue_max) {
      queue_.push_back(std::move(command));
      queue_depth_.set(static_cast<std::int64_t>(queue_.size()));
      ready_.notify_one();
      return;
    }
  }
  if (stopping_) {
    guarded([&] { command->refuse(make_error(ErrorCode::kShuttingDown, "the store is shutting down")); });
    return;
  }
  refused_busy_.increment();
  guarded([&] { command->refuse(make_error(ErrorCode::kStoreBusy, "the write queue is full")); });
}

void GroupCommitWriter::drain() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ready_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  syncer_.stop();
}

void GroupCommitWriter::wait_until_durable() { syncer_.wait_until_durable(batches_started_.load()); }

void GroupCommitWriter::run() {
  CommandBatch batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      const std::size_t take = std::min<std::size_t>(queue_.size(), limits_.batch_max);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queue_depth_.set(static_cast<std::int64_t>(queue_.size()));
    }
    const std::uint64_t sequence = batches_started_.load() + 1;
    batches_started_.store(sequence);
    const bool committed = commit_batch(batch);
    syncer_.hand_over(sequence, std::move(batch), committed);
    batch.clear();
  }
}

// Why not a SAVEPOINT around every command: SQLite copies each page a command touches into the savepoint's
// sub-journal before changing it, in case the command is rolled back. For notifies that was a tenth of the
// writer's time (page copies and their allocations) spent guarding against a failure that almost never
// writes anything first: commands check before they write, and a failed statement undoes itself.
bool GroupCommitWriter::apply_without_savepoints(CommandBatch& batch) {
  for (auto& command : batch) {
    const sqlite3_int64 rows_before = sqlite3_total_changes64(db_->handle());
    if (command->apply(*db_)) {
      if (participant_) participant_->command_kept();
      continue;
    }
    if (participant_) participant_->command_undone();
    if (sqlite3_total_changes64(db_->handle()) != rows_before) return false;
  }
  return true;
}

void GroupCommitWriter::apply_with_savepoints(CommandBatch& batch) {
  for (auto& command : batch) {
    db_->prepare("SAVEPOINT command").run();
    if (command->apply(*db_)) {
      if (participant_) participant_->command_kept();
    } else {
      db_->prepare("ROLLBACK TO command").run();
      if (participant_) participant_->command_undone();
    }
    db_->prepare("RELEASE command").run();
  }
}

bool GroupCommitWriter::commit_batch(CommandBatch& batch) {
  const auto started = std::chrono::steady_clock::now();
  bool committed = false;
  try {
    db_->prepare("BEGIN IMMEDIATE").run();
    if (!apply_without_savepoints(batch)) {
      // Every command runs again from the start (commands are pure functions of what they read), this time
      // each in its own SAVEPOINT, so the failing one is undone alone.
      batch_reruns_.increment();
      db_->prepare("ROLLBACK").run();
      if (participant_) participant_->batch_failed();
      db_->prepare("BEGIN IMMEDIATE").run();
      apply_with_savepoints(batch);
    }
    if (participant_) participant_->before_commit(*db_);
    // With synchronous=NORMAL this COMMIT writes the WAL frames without an fsync: the syncer does that.
    const auto applied = std::chrono::steady_clock::now();
    db_->prepare("COMMIT").run();
    committed = true;
    commit_statement_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - applied).count());
  } catch (const SqliteError& e) {
    log::error("store_commit_failed", {{"error", e.what()}, {"batch_size", batch.size()}});
    commit_failures_.increment();
    if (participant_) participant_->batch_failed();
    // Some errors (I/O, disk full) end the transaction by themselves; then there is nothing to roll back.
    if (sqlite3_get_autocommit(db_->handle()) == 0) {
      try {
        db_->exec("ROLLBACK");
      } catch (const SqliteError&) {
        log::error("store_rollback_failed", {{"batch_size", batch.size()}});
      }
    }
  }
  batch_size_.observe(static_cast<double>(batch.size()));
  commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return committed;
}

}  // namespace paygate::sqlite
