// One queued write command of the PostgreSQL store, with its result type erased so that a writer can run
// several in one transaction: applied inside a savepoint of a shared transaction (the batch path), or on its
// own (transact, when it runs alone or its batch had to be given up), then completed once.
#pragma once

#include <optional>
#include <utility>

#include "infra/store/postgres/connection.h"
#include "ports/completion.h"

namespace paygate::postgres {

class WriteCommand {
 public:
  virtual ~WriteCommand() = default;
  // Runs the body in the open transaction; false when it answered an error (its writes must be undone).
  // Throws PgError as the statements do.
  virtual bool apply(Connection& db) = 0;
  // Runs the body in a transaction of its own (with the store's retries), keeping the result.
  virtual void run_alone() = 0;
  virtual void fail(Error error) = 0;
  // Hands the kept result to the caller's completion (after COMMIT, or after the failure).
  virtual void complete() = 0;
};

// Body: Result<T>(Connection&). Alone: Result<T>(Body&), the store's transact.
template <class T, class Body, class Alone>
class TypedWriteCommand final : public WriteCommand {
 public:
  TypedWriteCommand(Body body, Completion<T> done, Alone alone)
      : body_(std::move(body)), done_(std::move(done)), alone_(std::move(alone)) {}

  bool apply(Connection& db) override {
    result_.emplace(body_(db));
    return result_->ok();
  }
  void run_alone() override { result_.emplace(alone_(body_)); }
  void fail(Error error) override { result_.emplace(std::move(error)); }
  void complete() override { done_(std::move(*result_)); }

 private:
  Body body_;
  Completion<T> done_;
  Alone alone_;
  std::optional<Result<T>> result_;
};

}  // namespace paygate::postgres
