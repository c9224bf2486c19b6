#include "core/metrics.h"

#include "core/assert.h"
#include "fmt/format.h"

namespace paygate {
namespace {

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// {a="x",b="y"}, or "" without labels. The same labels always give the same key.
std::string label_key(const MetricLabels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += labels[i].first;
    out += "=\"";
    out += escape_label_value(labels[i].second);
    out += '"';
  }
  out.push_back('}');
  return out;
}

// Merges an extra label (le="…") into an existing label set.
std::string with_label(std::string_view labels, std::string_view extra) {
  if (labels.empty()) return fmt::format("{{{}}}", extra);
  return fmt::format("{},{}}}", labels.substr(0, labels.size() - 1), extra);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      bucket_counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::observe(double value) {
  std::size_t index = 0;
  while (index < upper_bounds_.size() && value > upper_bounds_[index]) ++index;
  bucket_counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    cumulative += bucket_counts_[i].load(std::memory_order_relaxed);
    const std::string bound = i < upper_bounds_.size() ? fmt::format("{}", upper_bounds_[i]) : "+Inf";
    out += fmt::format("{}_bucket{} {}\n", name, with_label(labels, fmt::format("le=\"{}\"", bound)),
                       cumulative);
  }
  out += fmt::format("{}_sum{} {}\n", name, labels, sum_.load(std::memory_order_relaxed));
  out += fmt::format("{}_count{} {}\n", name, labels, count_.load(std::memory_order_relaxed));
}

const std::vector<double>& latency_buckets_seconds() {
  static const std::vector<double> buckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
  return buckets;
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}}).first;
  }
  PAYGATE_ASSERT(it->second.type == type);
  return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  auto& series = family(name, help, Type::kCounter).counters[label_key(labels)];
  if (!series) series = std::make_unique<Counter>();
  return *series;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  auto& series = family(name, help, Type::kGauge).gauges[label_key(labels)];
  if (!series) series = std::make_unique<Gauge>();
  return *series;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const MetricLabels& labels, const std::vector<double>& upper_bounds) {
  std::lock_guard lock(mutex_);
  auto& series = family(name, help, Type::kHistogram).histograms[label_key(labels)];
  if (!series) series = std::make_unique<Histogram>(upper_bounds);
  return *series;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
    for (const auto& [labels, series] : family.counters)
      out += fmt::format("{}{} {}\n", name, labels, series->value());
    for (const auto& [labels, series] : family.gauges)
      out += fmt::format("{}{} {}\n", name, labels, series->value());
    for (const auto& [labels, series] : family.histograms) series->render(out, name, labels);
  }
  return out;
}

}  // namespace paygate
