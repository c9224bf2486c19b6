// `paygate ledger verify` and `paygate ledger export --format ledger FILE`.
#include <cstdio>
#include <fstream>

#include "app/ledger_queries.h"
#include "core/log.h"
#include "main/commands.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {

int run_ledger_verify(const CommonOptions& common) {
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  auto report = store.verify_ledger();
  store.drain();
  if (!report.ok()) return fail(report.error().message);
  const nlohmann::json out = {{"sound", report->sound()},
                              {"accounts", report->accounts},
                              {"transfers", report->transfers},
                              {"orders_checked", report->orders_checked},
                              {"debits_total", report->debits_total_minor},
                              {"credits_total", report->credits_total_minor},
                              {"problems", report->problems}};
  std::printf("%s\n", out.dump(2).c_str());
  return report->sound() ? 0 : 2;
}

int run_ledger_export(const CommonOptions& common, const std::string& format, const std::string& path) {
  if (format != "ledger") return fail("--format: only \"ledger\" (a ledger/hledger journal) is supported");
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  const std::string temp = path + ".tmp";
  Status written;
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return fail("cannot write " + temp);
    written = write_ledger_journal(store, out);
  }
  store.drain();
  if (!written) {
    std::remove(temp.c_str());
    return fail(written.error().message);
  }
  // Renamed into place only when complete: a reader never sees half a journal.
  if (std::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot write " + path);
  return 0;
}

}  // namespace paygate::cli
