// Reloader: re-reads the configuration file and hands it to Server::reload(). One entry
// point for every trigger (SIGHUP, the admin API, the file watcher), so each reload is
// logged and counted the same way:
//
//   config_reloaded source=sighup file=/etc/warren/warren.toml listeners_kept=1 ...
//   config_reload_failed source=watch file=... errors=1 error="warren.toml:12:9: cluster[0].balance: ..."
//
// With `[global] watch = true` a thread polls the file, and every certificate, key and CA
// file it names, twice a second; a change is applied once it has stayed the same for one
// more poll (an editor's write-rename, or a cert and key copied one after the other, lands
// as one reload).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "server/server.h"
#include "stats/reload_stats.h"

namespace warren::server {

// What the watcher compares: per file, (exists, size, mtime, inode).
using FileSignature = std::vector<std::tuple<bool, int64_t, int64_t, uint64_t>>;

// The config file, the TLS files it names and the admin token file, each once.
std::vector<std::string> watchedFiles(const std::string& config_path, const config::Config& config);
FileSignature signatureOf(const std::vector<std::string>& files);

class Reloader {
 public:
  Reloader(Server& server, std::string path, stats::ReloadStats& stats,
           std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500));
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Thread-safe; reloads are serialised. `source` names the trigger in the log ("sighup",
  // "api", "watch").
  ReloadResult reload(std::string_view source);
  // For the parts of the config the Server does not run (the admin endpoint): `check` sees
  // every loaded config before Server::reload(). It returns an error message (the reload is
  // refused with it, nothing applied) or the action that applies its part, run once the
  // Server's part succeeded. Set before the first reload.
  using Apply = std::function<void()>;
  using Check = std::function<std::variant<std::string, Apply>(const config::Config& next)>;
  void setCheck(Check check) { check_ = std::move(check); }
  // Starts the watcher thread; it acts only while the running config has watch = true.
  void startWatching();
  void stop();

 private:
  void watchLoop();

  Server& server_;
  const std::string path_;
  stats::ReloadStats& stats_;
  const std::chrono::milliseconds poll_interval_;
  Check check_;
  std::mutex reload_mutex_;
  FileSignature applied_;  // guarded by reload_mutex_: the files as the last reload read them
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace warren::server
