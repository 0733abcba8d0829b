// warren: the command line. `warren run -c FILE`, `warren check [-c] FILE`, `--version`.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <unistd.h>

#include "admin/reconfigure.h"
#include "admin/startup.h"
#include "common/logging.h"
#include "config/limits_summary.h"
#include "config/loader.h"
#include "config/warnings.h"
#include "server/log_options.h"
#include "server/process_hygiene.h"
#include "server/reloader.h"
#include "server/server.h"
#include "server/systemd_notify.h"
#include "server/takeover.h"
#include "server/tls_contexts.h"
#include "server/watchdog.h"
#include "stats/reload_stats.h"
#include "tls/library_version.h"

namespace {

// Documented in README.md (Command line). kUsage is sysexits.h's EX_USAGE.
enum ExitCode { kOk = 0, kBadConfig = 1, kStartFailed = 2, kUsage = 64 };

// Loads and validates, certificates included; prints every error, then `summary`.
// Returns nullptr if the file is not valid.
warren::config::ConfigConstSharedPtr load(const std::string& path, const char* summary) {
  auto result = warren::config::loadFile(path);
  if (result.ok()) {
    warren::server::TlsContexts contexts;
    std::vector<warren::config::ConfigError> warnings;
    result.errors = warren::server::buildTlsContexts(*result.config, contexts, &warnings);
    for (const auto& w : warnings) std::cerr << "warning: " << w.format() << "\n";
    for (const auto& w : warren::config::configWarnings(*result.config)) {
      std::cerr << "warning: " << w.format() << "\n";
    }
  }
  for (const auto& e : result.errors) std::cerr << e.format() << "\n";
  if (!result.ok()) {
    std::cerr << path << ": " << result.errors.size() << " error" << (result.errors.size() == 1 ? "" : "s")
              << summary << "\n";
    return nullptr;
  }
  return result.config;
}

// The workers' clock: libuv's uv_now() counts CLOCK_MONOTONIC milliseconds, as steady_clock does.
int64_t monotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

warren::admin::Hooks adminHooks(warren::server::Server& server, warren::server::Reloader& reloader,
                               warren::stats::ReloadStats& reloads) {
  warren::admin::Hooks hooks;
  hooks.clusters = [&server] { return server.clusters(); };
  hooks.stats = [&server] { return server.snapshot(); };
  hooks.reload = [&reloader] {
    const auto result = reloader.reload("api");  // logged and counted by the Reloader
    return warren::admin::ReloadResult{true, result.ok, result.message};
  };
  hooks.serving = [&server] { return server.serving(); };
  hooks.now_ms = monotonicMs;
  hooks.reload_stats = &reloads;
  return hooks;
}

// The admin endpoint, stoppable from the takeover thread as well as at the end.
struct AdminSlot {
  std::mutex mutex;
  std::unique_ptr<warren::admin::AdminServer> server;
  void reset() {
    std::lock_guard<std::mutex> lock(mutex);
    server.reset();
  }
};

// `takeover`: the socket of a running Warren whose listening sockets this one takes over.
int runServer(const std::string& path, const std::string& takeover) {
  auto config = load(path, ", nothing started");
  if (!config) return kBadConfig;
  if (auto err = warren::logging::configure(warren::server::logOptions(config->global)); !err.empty()) {
    spdlog::error("start_failed reason={}", warren::logging::quote("global.access_log_file: " + err));
    return kStartFailed;
  }
  if (auto err = warren::server::applyCoreDumpPolicy(config->global.allow_core_dumps); !err.empty()) {
    spdlog::warn("core_dumps_not_disabled reason={}", warren::logging::quote(err));
  }
  warren::server::warnIfRoot();
  warren::server::raiseFileLimit(config->global.max_connections);
  warren::server::Server::blockStopSignals();  // before any thread exists (see server.h)
  warren::server::Server server(config);
  warren::server::TakeoverClient takeover_client;
  warren::server::InheritedSockets inherited;
  if (!takeover.empty()) {
    uint32_t old_workers = 0;
    if (auto err = takeover_client.receive(takeover, inherited, old_workers); !err.empty()) {
      spdlog::error("start_failed reason={}", warren::logging::quote("takeover: " + err));
      return kStartFailed;
    }
    spdlog::info("takeover_received socket={} listeners={} old_workers={}", warren::logging::quote(takeover),
                 inherited.listeners().size(), old_workers);
  }
  if (auto err = server.bind(takeover.empty() ? nullptr : &inherited)) {
    spdlog::error("start_failed reason={}", warren::logging::quote(*err));
    return kStartFailed;
  }
  spdlog::info("starting version={} config={} workers={}", WARREN_VERSION, path, server.workerCount());
  warren::stats::ReloadStats reloads;
  reloads.recordInitialLoad();
  server.start();
  if (!takeover.empty()) {
    // Every worker accepts once its loop ran the start request; only then may the old one stop.
    server.workersResponsive(std::chrono::seconds(5));
    if (auto err = takeover_client.finish(); !err.empty()) spdlog::warn("takeover_incomplete reason={}", warren::logging::quote(err));
    spdlog::info("takeover_complete socket={}", warren::logging::quote(takeover));
  }
  warren::server::Reloader reloader(server, path, reloads);
  server.setReloadHandler([&reloader] { reloader.reload("sighup"); });
  // After start(): the hooks read the workers. A busy admin port does not stop the load
  // balancer (an old instance may still hold it while it drains); it is logged as an error.
  AdminSlot admin;
  std::string admin_error;
  admin.server = warren::admin::startAdmin(config->admin, adminHooks(server, reloader, reloads), admin_error);
  if (!admin_error.empty()) spdlog::error("admin_unavailable reason={}", warren::logging::quote(admin_error));
  // [admin] in a reload: applied (token, protect_metrics) or the reload is refused (address),
  // through the API, which outlives the server (the takeover thread may stop the server).
  warren::admin::AdminReconfigurer admin_reload(config->admin, admin.server ? admin.server->apiPtr() : nullptr);
  reloader.setCheck([&admin_reload](const warren::config::Config& next) { return admin_reload.check(next); });
  reloader.startWatching();
  warren::server::TakeoverServer takeover_server(server, [&admin, &server] {
    admin.reset();  // the new process binds the admin port next
    server.shutdown();
  });
  if (!config->global.takeover_socket.empty()) {
    if (auto err = takeover_server.listen(config->global.takeover_socket); !err.empty()) {
      spdlog::error("takeover_unavailable reason={}", warren::logging::quote(err));
    }
  }
  warren::server::systemd::notify("READY=1\nSTATUS=serving " + std::to_string(config->listeners.size()) +
                                  " listeners" + (takeover.empty() ? "" : "\nMAINPID=" + std::to_string(getpid())));
  auto watchdog = warren::server::startWatchdog(server);
  server.runUntilStopped();
  watchdog.reset();
  takeover_server.stop();
  admin.reset();  // joins its threads (its hooks point at the server): no API reload runs from here on
  reloader.stop();
  auto t = server.totals();
  spdlog::info("stopped accepted={} connect_failures={} proxy_header_invalid={} proxy_header_timeout={} "
               "rejected_limit={} bytes_up={} bytes_down={}",
               t.accepted, t.connect_failures, t.proxy_header_failures[warren::session::kHeaderInvalid],
               t.proxy_header_failures[warren::session::kHeaderTimeout], t.rejected(), t.bytes[warren::session::kUp],
               t.bytes[warren::session::kDown]);
  warren::logging::flush();
  return kOk;
}

std::string versionText() {
  return std::string("warren ") + WARREN_VERSION + "\ncommit " + WARREN_GIT_COMMIT + "\n" +
         warren::tls::libraryVersion();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Warren: a load balancer for AMQP brokers (RabbitMQ)", "warren"};
  app.set_version_flag("--version", versionText());
  app.require_subcommand(1);

  // A missing file is an invalid configuration (exit 1, "cannot read file"), for run as for check.
  std::string run_config;
  auto* run = app.add_subcommand("run", "Run the load balancer");
  run->add_option("-c,--config", run_config, "Configuration file (TOML)")->required();
  std::string takeover;
  run->add_option("--takeover", takeover,
                  "Take the listening sockets over from the Warren running with this [global] takeover_socket "
                  "(binary upgrade: no connection refused)");

  // `check FILE` and `check -c FILE` (as for run): exactly one of them.
  std::string check_file, check_config;
  auto* check = app.add_subcommand("check", "Validate a configuration file and exit");
  auto* file_opt = check->add_option("file", check_file, "Configuration file (TOML)");
  check->add_option("-c,--config", check_config, "Configuration file (TOML), as for run")->excludes(file_opt);

  try {
    app.parse(argc, argv);
    if (*check && check_file.empty() && check_config.empty())
      throw CLI::RequiredError("check: a configuration file (FILE or -c FILE)");
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every misuse of the command line exits with kUsage.
    return app.exit(e) == 0 ? kOk : kUsage;
  }

  if (*check) {
    const std::string& path = check_file.empty() ? check_config : check_file;
    auto config = load(path, "");
    if (!config) return kBadConfig;
    if (auto w = warren::server::fileLimitWarning(config->global.max_connections); !w.empty()) {
      std::cerr << "warning: " << w << "\n";
    }
    std::cout << path << ": OK\n" << warren::config::describeLimits(*config);
    return kOk;
  }
  return runServer(run_config, takeover);
}
