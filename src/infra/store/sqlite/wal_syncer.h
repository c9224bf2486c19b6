// Makes committed batches durable off the writer thread. The writer's connection runs with
// synchronous=NORMAL, so its COMMIT only write()s the batch's frames to the WAL and returns; this thread
// then fdatasync()s the WAL file and only after that completes the batch's commands. The WAL is written in
// order, so one fdatasync makes durable every batch whose COMMIT returned before it started: while it runs,
// the writer is already applying the next batch (with synchronous=FULL the writer sat idle in every fsync).
// Recovery after a crash keeps the longest run of whole commits in the WAL, which contains every
// acknowledged one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/metrics.h"

namespace paygate::sqlite {

class WriteCommand;
using CommandBatch = std::deque<std::unique_ptr<WriteCommand>>;

class WalSyncer {
 public:
  explicit WalSyncer(std::string wal_path, MetricsRegistry& metrics);
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;
  ~WalSyncer();

  // Batch number `sequence` (1, 2, 3, … in the order the writer started them) has committed or failed;
  // its commands complete once the WAL holding it is on disk (a failed batch just waits its turn).
  void hand_over(std::uint64_t sequence, CommandBatch batch, bool committed);

  // Returns once every batch up to `sequence` is durable and completed or failed.
  void wait_until_durable(std::uint64_t sequence);

  // Makes everything handed over durable, completes it, and joins the thread. Idempotent.
  void stop();

 private:
  struct Handed {
    std::uint64_t sequence;
    CommandBatch batch;
    bool committed;
  };
  void run();
  // fdatasync of the WAL file; a failure ends the process (see the definition).
  void sync_wal();

  const std::string wal_path_;
  int wal_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable handed_;
  std::condition_variable durable_;
  std::deque<Handed> queue_;
  std::uint64_t durable_sequence_ = 0;
  bool stopping_ = false;
  Histogram& fsync_seconds_;
  Histogram& batches_per_fsync_;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace paygate::sqlite
