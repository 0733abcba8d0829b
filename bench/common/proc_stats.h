// CPU time and RSS of the process under test, from /proc. The parsers take the file
// text so that they can be tested with fixtures; sampleProcesses() does the reading.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace warren::bench {

// /proc/PID/task/TID/schedstat: "<run ns> <wait ns> <timeslices>"; the first field.
std::optional<uint64_t> parseSchedstatRunNs(std::string_view text);
// /proc/PID/stat: utime + stime in clock ticks (fields 14 and 15; the command name in
// parentheses may hold spaces and ')' so fields are counted from the last ')').
std::optional<uint64_t> parseStatCpuTicks(std::string_view text);
// /proc/PID/status: the "VmRSS:" line, in kB.
std::optional<uint64_t> parseStatusVmRssKb(std::string_view text);

struct ProcessSample {
  bool ok = false;        // every PID could be read
  uint64_t cpu_ns = 0;    // summed over every thread of every PID
  uint64_t rss_kb = 0;    // summed over the PIDs
  std::string error;      // what could not be read when !ok
};

// CPU: the sum of schedstat run times over /proc/PID/task/*; when schedstat is not
// available (kernel without CONFIG_SCHEDSTATS) utime+stime from /proc/PID/stat.
ProcessSample sampleProcesses(std::span<const int> pids);

// Reads a whole (small) file; nullopt when it cannot be opened.
std::optional<std::string> readSmallFile(const std::string& path);

}  // namespace warren::bench
