// The single SQLite writer: drains a bounded queue, applies the batch's commands in one transaction and
// commits it; the WalSyncer then makes it durable with one fdatasync (shared with the batches committed
// meanwhile) and completes every command of the batch. A failing command fails alone: one that wrote
// nothing before failing is simply left out; one that did is undone by running the batch again with each
// command in its own SAVEPOINT.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "core/result.h"
#include "infra/store/sqlite/connection.h"
#include "infra/store/sqlite/wal_syncer.h"

namespace paygate::sqlite {

class WriteCommand {
 public:
  virtual ~WriteCommand() = default;
  // Runs inside the batch's transaction (inside its own SAVEPOINT when the batch is rerun). Returns false
  // when the command failed and its changes must be undone. Runs again from the start if the batch is
  // rerun, so it must depend only on what it reads.
  virtual bool apply(Connection& db) = 0;
  // Runs after the batch committed (true) or failed to commit (false). Never before the fsync.
  virtual void complete(bool committed) = 0;
  // Runs instead of apply/complete when the command never reaches the database (queue full, stopping).
  virtual void refuse(Error error) = 0;
};

// A write whose body computes a Result<T>; the completion receives it once it is durable.
template <class T>
class TypedWrite final : public WriteCommand {
 public:
  using Body = std::function<Result<T>(Connection&)>;
  using Done = std::function<void(Result<T>)>;

  TypedWrite(Body body, Done done) : body_(std::move(body)), done_(std::move(done)) {}

  bool apply(Connection& db) override {
    try {
      result_.emplace(body_(db));
    } catch (const SqliteError& e) {
      report_failure(e.what());
      result_.emplace(make_error(ErrorCode::kStoreUnavailable, "the store could not apply the write"));
    }
    return result_->ok();
  }

  void complete(bool committed) override {
    if (!committed && result_->ok()) {
      done_(make_error(ErrorCode::kStoreUnavailable, "the store could not commit the write"));
      return;
    }
    done_(std::move(*result_));
  }

  void refuse(Error error) override { done_(std::move(error)); }

 private:
  static void report_failure(const char* what);

  Body body_;
  Done done_;
  std::optional<Result<T>> result_;
};

void log_write_failure(const char* what);
// Completes every command of the batch; a completion that throws is logged and does not stop the others.
void complete_batch(CommandBatch& batch, bool committed);

template <class T>
void TypedWrite<T>::report_failure(const char* what) {
  log_write_failure(what);
}

// State kept across the commands of a batch (the ledger's account balances): told when each command is
// kept or undone, written into the batch just before COMMIT, and dropped when the batch fails.
class BatchParticipant {
 public:
  virtual ~BatchParticipant() = default;
  virtual void command_kept() = 0;
  virtual void command_undone() = 0;
  virtual void before_commit(Connection& db) = 0;
  virtual void batch_failed() = 0;
};

struct GroupCommitLimits {
  std::uint32_t queue_max = 65'536;
  std::uint32_t batch_max = 4'096;
};

class GroupCommitWriter {
 public:
  // The connection must be in WAL mode with synchronous=NORMAL: durability is the WalSyncer's fdatasync.
  // participant (optional) must outlive the writer.
  GroupCommitWriter(std::unique_ptr<Connection> db, GroupCommitLimits limits, MetricsRegistry& metrics,
                    BatchParticipant* participant = nullptr);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  ~GroupCommitWriter();

  // Queues the command, or refuses it at once with STORE_BUSY (queue full) or SHUTTING_DOWN (draining).
  void submit(std::unique_ptr<WriteCommand> command);

  // Stops taking commands, commits everything queued, completes it, and joins the thread. Idempotent.
  void drain();

  // Returns once every write that a read might have seen is durable: call it after a read whose result
  // leaves the process on our own initiative (a webhook), so nothing goes out that a crash could still undo.
  void wait_until_durable();

 private:
  void run();
  // Returns whether the batch committed.
  bool commit_batch(CommandBatch& batch);
  // Applies every command straight into the transaction. Returns false, having stopped, when a command
  // failed after writing rows: only rolling the whole transaction back can undo them.
  bool apply_without_savepoints(CommandBatch& batch);
  // Applies every command inside its own SAVEPOINT, rolling back each one that fails.
  void apply_with_savepoints(CommandBatch& batch);

  std::unique_ptr<Connection> db_;
  const GroupCommitLimits limits_;
  BatchParticipant* const participant_;
  std::mutex mutex_;
  std::condition_variable ready_;
  CommandBatch queue_;
  bool stopping_ = false;
  // Batches started so far: set before a batch's COMMIT, so a read that saw a batch also sees its number.
  std::atomic<std::uint64_t> batches_started_{0};
  WalSyncer syncer_;
  std::thread thread_;

  Histogram& batch_size_;
  Histogram& commit_seconds_;
  Histogram& commit_statement_seconds_;
  Gauge& queue_depth_;
  Counter& refused_busy_;
  Counter& commit_failures_;
  Counter& batch_reruns_;
};

}  // namespace paygate::sqlite
