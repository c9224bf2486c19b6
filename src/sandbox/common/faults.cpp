#include "sandbox/common/faults.h"

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace paygate::sandbox {
namespace {

using nlohmann::json;

Error knob_error(std::string_view key, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", key, problem));
}

Status read_rate(const json& value, std::string_view key, double& out) {
  if (!value.is_number()) return knob_error(key, "must be a number from 0 to 1");
  const double rate = value.get<double>();
  if (rate < 0 || rate > 1) return knob_error(key, "must be a number from 0 to 1");
  out = rate;
  return {};
}

Status read_ms(const json& value, std::string_view key, std::uint32_t& out) {
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 600'000) {
    return knob_error(key, "must be an integer from 0 to 600000 (ms)");
  }
  out = static_cast<std::uint32_t>(value.get<std::uint64_t>());
  return {};
}

}  // namespace

Status FaultInjector::update(std::string_view json_text) {
  const json body = json::parse(json_text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return knob_error("body", "must be a JSON object");
  std::lock_guard lock(mutex_);
  SandboxFaults next = faults_;
  for (const auto& [key, value] : body.items()) {
    Status status;
    if (key == "latency_ms") {
      status = read_ms(value, key, next.latency_ms);
    } else if (key == "error_rate") {
      status = read_rate(value, key, next.error_rate);
    } else if (key == "timeout_rate") {
      status = read_rate(value, key, next.timeout_rate);
    } else if (key == "timeout_ms") {
      status = read_ms(value, key, next.timeout_ms);
    } else if (key == "notify_drop_rate") {
      status = read_rate(value, key, next.notify_drop_rate);
    } else if (key == "notify_duplicate_rate") {
      status = read_rate(value, key, next.notify_duplicate_rate);
    } else if (key == "notify_delay_ms") {
      status = read_ms(value, key, next.notify_delay_ms);
    } else if (key == "refund_abnormal_rate") {
      status = read_rate(value, key, next.refund_abnormal_rate);
    } else if (key == "refund_processing_ms") {
      status = read_ms(value, key, next.refund_processing_ms);
    } else if (key == "notify_reorder") {
      if (!value.is_boolean()) return knob_error(key, "must be true or false");
      next.notify_reorder = value.get<bool>();
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) return knob_error(key, "must be a non-negative integer");
      next.seed = value.get<std::uint64_t>();
    } else {
      return knob_error(key.substr(0, 64), "is not a fault knob");
    }
    if (!status) return status;
  }
  if (next.seed != faults_.seed) random_.seed(next.seed);
  faults_ = next;
  return {};
}

std::string FaultInjector::describe() const {
  std::lock_guard lock(mutex_);
  return json{{"latency_ms", faults_.latency_ms},
              {"error_rate", faults_.error_rate},
              {"timeout_rate", faults_.timeout_rate},
              {"timeout_ms", faults_.timeout_ms},
              {"notify_drop_rate", faults_.notify_drop_rate},
              {"notify_duplicate_rate", faults_.notify_duplicate_rate},
              {"notify_delay_ms", faults_.notify_delay_ms},
              {"notify_reorder", faults_.notify_reorder},
              {"refund_processing_ms", faults_.refund_processing_ms},
              {"refund_abnormal_rate", faults_.refund_abnormal_rate},
              {"seed", faults_.seed}}
      .dump();
}

SandboxFaults FaultInjector::current() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

bool FaultInjector::chance(double rate) {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return std::uniform_real_distribution<double>(0, 1)(random_) < rate;
}

std::uint32_t FaultInjector::call_delay_ms() {
  std::lock_guard lock(mutex_);
  return chance(faults_.timeout_rate) ? faults_.timeout_ms : faults_.latency_ms;
}

bool FaultInjector::fail_call() {
  std::lock_guard lock(mutex_);
  return chance(faults_.error_rate);
}

bool FaultInjector::refund_abnormal() {
  std::lock_guard lock(mutex_);
  return chance(faults_.refund_abnormal_rate);
}

bool FaultInjector::drop_notify() {
  std::lock_guard lock(mutex_);
  return chance(faults_.notify_drop_rate);
}

bool FaultInjector::duplicate_notify() {
  std::lock_guard lock(mutex_);
  return chance(faults_.notify_duplicate_rate);
}

std::uint32_t FaultInjector::notify_delay_ms() {
  std::lock_guard lock(mutex_);
  if (!faults_.notify_reorder || faults_.notify_delay_ms == 0) return faults_.notify_delay_ms;
  return std::uniform_int_distribution<std::uint32_t>(0, faults_.notify_delay_ms)(random_);
}

std::pair<int, std::string> faults_endpoint(FaultInjector& faults, std::string_view method,
                                            std::string_view body) {
  if (method == "POST") {
    if (auto status = faults.update(body); !status)
      return {400, json{{"code", "INVALID_PARAMETER"}, {"message", status.error().message}}.dump()};
  }
  return {200, faults.describe()};
}

}  // namespace paygate::sandbox
