// warren: the command line. `warren run -c FILE`, `warren check FILE`, `--version`.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <variant>

#include "admin/startup.h"
#include "common/logging.h"
#include "config/loader.h"
#include "server/log_level.h"
#include "server/reloader.h"
#include "server/server.h"
#include "server/tls_contexts.h"
#include "stats/reload_stats.h"

namespace {

enum ExitCode { kOk = 0, kBadConfig = 1, kStartFailed = 2 };

// Loads and validates, certificates included; prints every error, then `summary`.
// Returns nullptr if the file is not valid.
warren::config::ConfigConstSharedPtr load(const std::string& path, const char* summary) {
  auto result = warren::config::loadFile(path);
  if (result.ok()) {
    warren::server::TlsContexts contexts;
    std::vector<warren::config::ConfigError> warnings;
    result.errors = warren::server::buildTlsContexts(*result.config, contexts, &warnings);
    for (const auto& w : warnings) std::cerr << "warning: " << w.format() << "\n";
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

int runServer(const std::string& path) {
  auto config = load(path, ", nothing started");
  if (!config) return kBadConfig;
  warren::logging::setup(warren::server::toLogLevel(config->global.log_level));
  warren::server::Server::blockStopSignals();  // before any thread exists (see server.h)
  warren::server::Server server(config);
  if (auto err = server.bind()) {
    spdlog::error("start_failed reason={}", warren::logging::quote(*err));
    return kStartFailed;
  }
  spdlog::info("starting version={} config={} workers={}", WARREN_VERSION, path, server.workerCount());
  warren::stats::ReloadStats reloads;
  reloads.recordInitialLoad();
  server.start();
  warren::server::Reloader reloader(server, path, reloads);
  server.setReloadHandler([&reloader] { reloader.reload("sighup"); });
  // After start(): the hooks read the workers. A busy admin port does not stop the load
  // balancer (an old instance may still hold it while it drains); it is logged as an error.
  std::string admin_error;
  auto admin = warren::admin::startAdmin(config->admin, adminHooks(server, reloader, reloads), admin_error);
  if (!admin_error.empty()) spdlog::error("admin_unavailable reason={}", warren::logging::quote(admin_error));
  // [admin] in a reload: applied (token, protect_metrics) or the reload is refused (address).
  warren::config::Admin running_admin = config->admin;  // only touched by reloads, which are serialised
  reloader.setCheck([&](const warren::config::Config& next) -> std::variant<std::string, warren::server::Reloader::Apply> {
    auto prepared = warren::admin::prepareAdminReload(running_admin, next.admin);
    if (!prepared.error.empty()) return prepared.error;
    return [&, prepared, next_admin = next.admin] {
      running_admin = next_admin;
      if (admin && prepared.options) admin->api().setOptions(*prepared.options);
      spdlog::info("admin_reconfigured token={} protect_metrics={}", next_admin.token_file.empty() ? "none" : "file",
                   next_admin.protect_metrics);
    };
  });
  reloader.startWatching();
  server.runUntilStopped();
  if (admin) admin->stop();  // joins its threads: no API reload runs from here on
  reloader.stop();
  admin.reset();  // its hooks point at the server
  auto t = server.totals();
  spdlog::info("stopped accepted={} connect_failures={} proxy_header_invalid={} proxy_header_timeout={} "
               "rejected_limit={} bytes_up={} bytes_down={}",
               t.accepted, t.connect_failures, t.proxy_header_invalid, t.proxy_header_timeout, t.rejected_limit,
               t.bytes_up, t.bytes_down);
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Warren: a load balancer for AMQP brokers (RabbitMQ)", "warren"};
  app.set_version_flag("--version", std::string("warren ") + WARREN_VERSION);
  app.require_subcommand(1);

  std::string run_config;
  auto* run = app.add_subcommand("run", "Run the load balancer");
  run->add_option("-c,--config", run_config, "Configuration file (TOML)")->required()->check(CLI::ExistingFile);

  std::string check_config;
  auto* check = app.add_subcommand("check", "Validate a configuration file and exit");
  check->add_option("file", check_config, "Configuration file (TOML)")->required();

  CLI11_PARSE(app, argc, argv);

  if (*check) {
    if (!load(check_config, "")) return kBadConfig;
    std::cout << check_config << ": OK\n";
    return kOk;
  }
  return runServer(run_config);
}
