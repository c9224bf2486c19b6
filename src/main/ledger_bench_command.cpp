// `paygate bench ledger-post`: durable ledger postings in-process, with no HTTP in the way. Each posting is
// one store command holding one transfer from a payer wallet to a merchant payable: the wallet's
// "debits must not exceed credits" balance check runs on every posting, the transfer and both balance
// updates commit together, and a posting counts only once its group commit is on disk.
//
// --accounts N spreads the postings over N wallets and N merchants (N = 1: every posting hits the same
// two rows, the hot-account case). --payees M pays M merchants instead (M = 1 with many wallets: one hot
// payee, as a streamer taking tips or a channel receivable taking payments).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "core/log.h"
#include "main/commands.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string wallet(std::uint32_t i) { return "liability:wallet:payer-" + std::to_string(i); }
std::string merchant(std::uint32_t i) { return ledger::merchant_payable("mch_bench_" + std::to_string(i)); }

}  // namespace

int run_ledger_bench(const CommonOptions& common, const BenchOptions& options) {
  auto opened = open_scratch_store(common, "ledger-bench");
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  const paygate::Clock& clock = (*opened)->clock;

  const std::uint32_t accounts = options.accounts;
  const std::uint32_t payees = options.payees == 0 ? accounts : options.payees;
  // Fund every wallet first (not timed): postings then move 1 fen at a time and never run dry.
  for (std::uint32_t i = 0; i < accounts; ++i) {
    auto funded = wait_for<std::int64_t>([&](auto done) {
      store.post_transfers(LedgerPostingCommand{{ledger::Transfer{"asset:bench_funding", wallet(i),
                                                                  Money{1'000'000'000'000, Currency::kCny},
                                                                  ledger::TransferCode::kPayment, "fund"}},
                                                clock.now_unix_ms()},
                           std::move(done));
    });
    if (!funded.ok()) return fail(funded.error().message);
  }

  // Account codes made once: the generator shares the two cores with the writer and should cost little.
  std::vector<std::string> wallets, merchants;
  for (std::uint32_t i = 0; i < accounts; ++i) wallets.push_back(wallet(i));
  for (std::uint32_t i = 0; i < payees; ++i) merchants.push_back(merchant(i));
  std::mutex mutex;
  std::condition_variable changed;
  std::uint32_t in_flight = 0;
  std::uint64_t completed = 0, refused = 0, sequence = 0;
  std::vector<std::uint32_t> latencies_us;
  latencies_us.reserve(1 << 22);
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(options.duration_s);
  while (Clock::now() < end) {
    {
      // Refill in bursts: wake the generator when half the window is free, not on every completion.
      std::unique_lock lock(mutex);
      if (in_flight >= options.concurrency)
        changed.wait(lock, [&] { return in_flight <= options.concurrency / 2; });
      ++in_flight;
    }
    const std::uint64_t n = sequence++;
    // A fixed stride walks payers and merchants in different orders, so pairs vary.
    const auto payer = static_cast<std::uint32_t>(n % accounts);
    const auto payee = static_cast<std::uint32_t>((n * 7919) % payees);
    const auto submitted = Clock::now();
    store.post_transfers(
        LedgerPostingCommand{{ledger::Transfer{wallets[payer], merchants[payee], Money{1, Currency::kCny},
                                               ledger::TransferCode::kPayment, "bench"}},
                             clock.now_unix_ms()},
        [&, submitted](Result<std::int64_t> posted) {
          const auto us =
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - submitted).count();
          std::lock_guard lock(mutex);
          --in_flight;
          if (posted.ok()) {
            ++completed;
            latencies_us.push_back(static_cast<std::uint32_t>(us));
          } else {
            ++refused;
          }
          if (in_flight == options.concurrency / 2 || in_flight == 0) changed.notify_one();
        });
  }
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return in_flight == 0; });
  }
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  store.drain();
  auto report = store.verify_ledger();
  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile_ms = [&](double p) {
    if (latencies_us.empty()) return 0.0;
    return latencies_us[static_cast<std::size_t>(p * static_cast<double>(latencies_us.size() - 1))] / 1000.0;
  };
  const nlohmann::json out = {
      {"scenario", "ledger-post"},
      {"accounts", accounts},
      {"payees", payees},
      {"concurrency", options.concurrency},
      {"transfers", completed},
      {"refused", refused},
      {"transfers_per_s", static_cast<double>(completed) / elapsed_s},
      {"p50_ms", percentile_ms(0.50)},
      {"p99_ms", percentile_ms(0.99)},
      {"books_sound", report.ok() && report->sound()},
  };
  std::printf("%s\n", out.dump(2).c_str());
  std::filesystem::remove_all((*opened)->config.store.data_dir);
  return report.ok() && report->sound() && refused == 0 ? 0 : 1;
}

}  // namespace paygate::cli
