#include "server/reloader.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>

#include "common/logging.h"
#include "config/loader.h"
#include "server/systemd_notify.h"

namespace warren::server {

std::vector<std::string> watchedFiles(const std::string& config_path, const config::Config& config) {
  std::vector<std::string> files{config_path};
  auto add = [&](const std::string& file) {
    if (!file.empty() && std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  };
  auto addAll = [&](const std::vector<config::CertificateFiles>& certificates) {
    for (const auto& c : certificates) {
      add(c.cert);
      add(c.key);
    }
  };
  for (const auto& l : config.listeners) {
    addAll(l.tls.certificates);
    add(l.tls.client_ca);
    for (const auto& r : l.routes) addAll(r.certificates);
  }
  add(config.admin.token_file);  // a rotated admin token is applied by the next reload
  for (const auto& c : config.clusters) {
    add(c.tls.ca);
    if (c.tls.client_certificate) addAll({*c.tls.client_certificate});
  }
  return files;
}

FileSignature signatureOf(const std::vector<std::string>& files) {
  FileSignature signature;
  for (const auto& file : files) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      signature.emplace_back(false, 0, 0, 0);
      continue;
    }
    const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    signature.emplace_back(true, static_cast<int64_t>(st.st_size), mtime_ns, static_cast<uint64_t>(st.st_ino));
  }
  return signature;
}

Reloader::Reloader(Server& server, std::string path, stats::ReloadStats& stats,
                   std::chrono::milliseconds poll_interval)
    : server_(server), path_(std::move(path)), stats_(stats), poll_interval_(poll_interval) {
  applied_ = signatureOf(watchedFiles(path_, *server_.config()));
}

Reloader::~Reloader() { stop(); }

ReloadResult Reloader::reload(std::string_view source) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  systemd::notify(systemd::reloadingMessage());
  // Read the files' state before loading them: an edit made while loading is seen as a
  // change by the next poll instead of being lost.
  const std::vector<std::string> before_files = watchedFiles(path_, *server_.config());
  FileSignature before = signatureOf(before_files);
  auto loaded = config::loadFile(path_);
  ReloadResult result;
  size_t error_count = 1;
  if (!loaded.ok()) {
    error_count = loaded.errors.size();
    for (const auto& e : loaded.errors) result.message += (result.message.empty() ? "" : "; ") + e.format();
  } else {
    std::variant<std::string, Apply> checked = check_ ? check_(*loaded.config) : std::variant<std::string, Apply>(Apply());
    if (auto* error = std::get_if<std::string>(&checked)) {
      result = {false, *error};
    } else {
      result = server_.reload(loaded.config);
      if (result.ok && std::get<Apply>(checked)) std::get<Apply>(checked)();
    }
    // Certificate problems come one per line: the log gets them on one line.
    for (size_t at = result.message.find('\n'); at != std::string::npos; at = result.message.find('\n', at)) {
      result.message.replace(at, 1, "; ");
      ++error_count;
    }
  }
  if (result.ok) {
    // The new config may name other files (certificates): their state is read now. Files
    // the old config named too keep the state read before loading, so that an edit made
    // while this reload ran is a change for the next poll, not taken as applied.
    const std::vector<std::string> files = watchedFiles(path_, *server_.config());
    FileSignature applied = signatureOf(files);
    for (size_t i = 0; i < files.size(); ++i) {
      const auto it = std::find(before_files.begin(), before_files.end(), files[i]);
      if (it != before_files.end()) applied[i] = before[static_cast<size_t>(it - before_files.begin())];
    }
    applied_ = std::move(applied);
    stats_.recordSuccess();
    spdlog::info("config_reloaded source={} file={} {}", source, logging::quote(path_), result.message);
    systemd::notify("READY=1\nSTATUS=serving; configuration reloaded (" + std::string(source) + ")");
  } else {
    applied_ = std::move(before);  // the watcher does not retry the same broken files
    stats_.recordFailure();
    spdlog::error("config_reload_failed source={} file={} errors={} error={}", source, logging::quote(path_),
                  error_count, logging::quote(result.message));
    // READY again: the old configuration keeps serving; STATUS says the reload failed.
    systemd::notify("READY=1\nSTATUS=serving; configuration reload failed (" + std::to_string(error_count) +
                    " error" + (error_count == 1 ? "" : "s") + "), the previous one stays: " +
                    result.message.substr(0, 400));
  }
  return result;
}

void Reloader::startWatching() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (watcher_.joinable() || stopping_) return;
  watcher_ = std::thread([this] { watchLoop(); });
}

void Reloader::stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void Reloader::watchLoop() {
  FileSignature previous;
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, poll_interval_, [this] { return stopping_; })) {
    lock.unlock();
    const auto config = server_.config();
    const FileSignature now = signatureOf(watchedFiles(path_, *config));
    bool due = false;
    {
      std::lock_guard<std::mutex> reload_lock(reload_mutex_);
      // Debounce: act once the files differ from what was applied and held still for a poll.
      due = config->global.watch && now != applied_ && now == previous;
      if (!config->global.watch) applied_ = now;
    }
    if (due) reload("watch");
    previous = now;
    lock.lock();
  }
}

}  // namespace warren::server
