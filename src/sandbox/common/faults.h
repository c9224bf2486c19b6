// Fault knobs of the channel sandboxes (each sandbox has its own), for chaos tests and for merchants
// rehearsing failures: slow or failing gateway answers, and notifies that are dropped, duplicated, delayed or
// reordered. Randomness comes from a seeded generator so a failing chaos run can be replayed.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace paygate::sandbox {

struct SandboxFaults {
  std::uint32_t latency_ms = 0;  // added before every API answer
  double error_rate = 0;         // share of calls answered SYSTEM_ERROR (outcome unknown)
  double timeout_rate = 0;       // share of calls answered only after timeout_ms (the caller gives up)
  std::uint32_t timeout_ms = 15'000;
  double notify_drop_rate = 0;               // share of notifies never sent
  double notify_duplicate_rate = 0;          // share of notifies sent twice (same notify id)
  std::uint32_t notify_delay_ms = 0;         // every notify waits this long before its first attempt
  bool notify_reorder = false;               // each notify waits a random 0..notify_delay_ms instead
  std::uint32_t refund_processing_ms = 200;  // WeChat Pay: how long a refund stays PROCESSING before it ends
  double refund_abnormal_rate = 0;  // WeChat Pay: share of refunds that end ABNORMAL (no money moved)
  std::uint64_t seed = 1;
};

class FaultInjector;
// The faults endpoint of a sandbox: GET describes the knobs, POST applies a JSON object of them (400 naming
// the bad key, nothing changed). Returns the status and the JSON body.
std::pair<int, std::string> faults_endpoint(FaultInjector& faults, std::string_view method,
                                            std::string_view body);

class FaultInjector {
 public:
  // Applies a JSON object of knobs (any subset); unknown keys and out-of-range values are errors naming the
  // key, and then nothing changes.
  Status update(std::string_view json_text);
  std::string describe() const;  // the knobs as JSON
  SandboxFaults current() const;

  // Decisions for one API call and one notify.
  std::uint32_t call_delay_ms();
  bool fail_call();
  bool drop_notify();
  bool duplicate_notify();
  std::uint32_t notify_delay_ms();
  bool refund_abnormal();

 private:
  bool chance(double rate);
  mutable std::mutex mutex_;
  SandboxFaults faults_;
  std::mt19937_64 random_{1};
};

}  // namespace paygate::sandbox
