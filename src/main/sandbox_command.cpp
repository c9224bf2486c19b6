// `paygate sandbox`: the channel simulators alone, on their own listener.
#include <unistd.h>

#include "core/log.h"
#include "main/commands.h"
#include "main/sandbox_runtime.h"

namespace paygate::cli {

int run_sandbox(const CommonOptions& common, const std::string& listen, double notify_retry_scale) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  log::init(*log::parse_level(config->log.level));
  SystemClock clock;
  auto sandbox = SandboxRuntime::start(config->store.data_dir, listen.empty() ? "127.0.0.1:8090" : listen,
                                       notify_retry_scale, clock);
  if (!sandbox.ok()) return fail(sandbox.error().message);
  log::info("sandbox_ready", {{"listen", (*sandbox)->base_url()},
                              {"alipay_app_id", kSandboxAlipayAppId},
                              {"pid", static_cast<std::int64_t>(::getpid())}});
  log::flush();
  (*sandbox)->run();
  log::info("sandbox_stopped", {});
  log::flush();
  return 0;
}

}  // namespace paygate::cli
