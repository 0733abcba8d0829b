#include "common/proc_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace warren::bench {

namespace {

std::optional<uint64_t> parseUint(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

std::string_view skipSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// Field `index` (0-based) of a space-separated list.
std::optional<std::string_view> field(std::string_view text, int index) {
  for (int i = 0;; ++i) {
    text = skipSpaces(text);
    if (text.empty()) return std::nullopt;
    const size_t end = text.find_first_of(" \t\n");
    const std::string_view token = text.substr(0, end);
    if (i == index) return token;
    if (end == std::string_view::npos) return std::nullopt;
    text.remove_prefix(end);
  }
}

bool addThreadCpuNs(int pid, uint64_t& total) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  bool all = true;
  int read_count = 0;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    const auto text = readSmallFile(dir + "/" + entry->d_name + "/schedstat");
    // A thread that exited between readdir and the read is simply gone.
    if (!text) continue;
    const auto ns = parseSchedstatRunNs(*text);
    if (!ns) {
      all = false;
      break;
    }
    total += *ns;
    ++read_count;
  }
  closedir(d);
  return all && read_count > 0;
}

}  // namespace

std::optional<uint64_t> parseSchedstatRunNs(std::string_view text) {
  const auto first = field(text, 0);
  return first ? parseUint(*first) : std::nullopt;
}

std::optional<uint64_t> parseStatCpuTicks(std::string_view text) {
  const size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ")": state is field 3, so utime (14) and stime (15) are the 12th and 13th.
  const std::string_view rest = text.substr(paren + 1);
  const auto utime = field(rest, 11);
  const auto stime = field(rest, 12);
  if (!utime || !stime) return std::nullopt;
  const auto u = parseUint(*utime);
  const auto s = parseUint(*stime);
  if (!u || !s) return std::nullopt;
  return *u + *s;
}

std::optional<uint64_t> parseStatusVmRssKb(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("VmRSS:")) {
      line.remove_prefix(6);
      const auto value = field(line, 0);
      const auto unit = field(line, 1);
      if (!value || !unit || *unit != "kB") return std::nullopt;
      return parseUint(*value);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> readSmallFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fd);
  return text;
}

ProcessSample sampleProcesses(std::span<const int> pids) {
  ProcessSample sample;
  sample.ok = true;
  for (const int pid : pids) {
    const std::string base = "/proc/" + std::to_string(pid);
    uint64_t cpu = 0;
    if (!addThreadCpuNs(pid, cpu)) {
      const auto stat = readSmallFile(base + "/stat");
      const auto ticks = stat ? parseStatCpuTicks(*stat) : std::nullopt;
      if (!ticks) {
        sample.ok = false;
        sample.error = "cannot read CPU time of pid " + std::to_string(pid);
        return sample;
      }
      cpu = *ticks * (1'000'000'000 / static_cast<uint64_t>(sysconf(_SC_CLK_TCK)));
    }
    const auto status = readSmallFile(base + "/status");
    const auto rss = status ? parseStatusVmRssKb(*status) : std::nullopt;
    if (!rss) {
      sample.ok = false;
      sample.error = "cannot read VmRSS of pid " + std::to_string(pid);
      return sample;
    }
    sample.cpu_ns += cpu;
    sample.rss_kb += *rss;
  }
  return sample;
}

}  // namespace warren::bench
