// Moves WAL frames into the database file on its own thread and connection, so the group-commit writer
// never pays for a checkpoint inside a COMMIT. After a complete checkpoint the writer restarts the WAL from
// its beginning, so commits overwrite an already-allocated file, whose fdatasync is cheaper than an append's.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/metrics.h"
#include "infra/store/sqlite/connection.h"

namespace paygate::sqlite {

class Checkpointer {
 public:
  // wal_pages_trigger: a checkpoint starts once the WAL holds this many pages.
  Checkpointer(const std::string& path, Connection& writer, std::uint32_t wal_pages_trigger,
               MetricsRegistry& metrics);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  ~Checkpointer();

  // Stops the thread after a last checkpoint that also truncates the WAL. Call after the writer drained.
  void stop();

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();
  void checkpoint(int mode);

  std::unique_ptr<Connection> db_;
  const std::uint32_t wal_pages_trigger_;
  std::mutex mutex_;
  std::condition_variable wanted_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;
  Histogram& checkpoint_seconds_;
  Counter& checkpoint_failures_;
};

}  // namespace paygate::sqlite
