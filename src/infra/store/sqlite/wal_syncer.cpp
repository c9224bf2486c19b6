#include "infra/store/sqlite/wal_syncer.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/log.h"
#include "infra/store/sqlite/durability_lost.h"
#include "infra/store/sqlite/group_commit_writer.h"

namespace paygate::sqlite {
namespace {

const std::vector<double>& batches_buckets() {
  static const std::vector<double> buckets = {1, 2, 3, 4, 6, 8, 16, 32};
  return buckets;
}

}  // namespace

WalSyncer::WalSyncer(std::string wal_path, MetricsRegistry& metrics)
    : wal_path_(std::move(wal_path)),
      fsync_seconds_(
          metrics.histogram("paygate_store_wal_fsync_seconds",
                            "Time of one fdatasync of the WAL (it makes every batch before it durable)", {},
                            latency_buckets_seconds())),
      batches_per_fsync_(metrics.histogram("paygate_store_batches_per_fsync",
                                           "Committed batches made durable by one fdatasync", {},
                                           batches_buckets())) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "paygate-fsync");
    run();
  });
}

WalSyncer::~WalSyncer() {
  stop();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void WalSyncer::hand_over(std::uint64_t sequence, CommandBatch batch, bool committed) {
  std::lock_guard lock(mutex_);
  queue_.push_back({sequence, std::move(batch), committed});
  handed_.notify_one();
}

void WalSyncer::wait_until_durable(std::uint64_t sequence) {
  std::unique_lock lock(mutex_);
  durable_.wait(lock, [&] { return durable_sequence_ >= sequence; });
}

void WalSyncer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    handed_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void WalSyncer::run() {
  std::deque<Handed> work;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      handed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      work.swap(queue_);
    }
    std::size_t committed = 0;
    for (const Handed& handed : work) committed += handed.committed ? 1 : 0;
    if (committed > 0) {
      sync_wal();
      batches_per_fsync_.observe(static_cast<double>(committed));
    }
    {
      std::lock_guard lock(mutex_);
      durable_sequence_ = work.back().sequence;
    }
    durable_.notify_all();
    for (Handed& handed : work) complete_batch(handed.batch, handed.committed);
    work.clear();
  }
}

void WalSyncer::sync_wal() {
  const auto started = std::chrono::steady_clock::now();
  // Opened once: SQLite deletes the WAL only when the last connection closes, and the writer's stays open
  // for the syncer's whole life (checkpoints truncate or overwrite the file in place).
  if (wal_fd_ < 0) {
    wal_fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) durability_lost("open_wal", std::strerror(errno));
  }
  int rc = 0;
  do {
    rc = ::fdatasync(wal_fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) durability_lost("fdatasync_wal", std::strerror(errno));
  fsync_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace paygate::sqlite
