// Logging: one line per event on stderr, written by one writer thread (logging_writer.h) so
// that no worker ever waits for the log: a line that finds the queue full is dropped and
// counted (linesDropped()).
//
// Call sites write logfmt, "event key=value ...", through spdlog (values that may hold
// spaces, quotes or client bytes through quote(), client strings through capped()). The
// format is chosen here, once (logging_format.h):
//   text  2026-11-22T00:10:00.123Z info access client=... reason=client_closed
//   json  {"ts":"2026-11-22T00:10:00.123Z","level":"info","event":"access","client":"...",...}
// Under systemd (JOURNAL_STREAM names stderr) each line starts with its syslog priority
// ("<6>"), so that `journalctl -p warning` filters. Access lines ("access ...") can go to
// their own file, reopened by reopen() (SIGUSR1, for logrotate).
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log_level.h"
#include "common/logging_format.h"

namespace warren::logging {

struct Options {
  Level level = Level::Info;
  Format format = Format::Text;
  std::string access_log_file;  // "" = access lines on stderr with the others
};

// Installs the process-wide logger on first use (text, stderr); later calls change the level.
void setup(Level level);
// Level, format and access file at once. Returns "" or why the access file cannot be
// opened (then the previous access destination stays and the rest is applied).
std::string configure(const Options& options);
// Thread-safe: the access log file is reopened by the writer thread (SIGUSR1).
void reopen();
// Waits (at most `timeout`) until every line logged so far is written: before exit.
bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(2));
// Lines dropped since start because the queue was full: warren_log_lines_dropped_total.
uint64_t linesDropped();

// A value for a log line: logfmt-quoted when it holds a space, '"', '=', '\' or anything
// but printable ASCII and valid UTF-8 (a b → "a b"); control characters, 0x7F and bytes
// that are not valid UTF-8 are written \xNN, so the line stays one line of valid UTF-8.
std::string quote(std::string_view value);

// A client-supplied string (SNI, AMQP client properties) cut to at most `max_bytes` bytes
// at a character boundary, with "...(N bytes)" appended when it was cut. Quote the result.
constexpr size_t kDefaultCap = 256;
std::string capped(std::string_view value, size_t max_bytes = kDefaultCap);

// True when stderr is the journal stream systemd gave this process (JOURNAL_STREAM
// "device:inode" matches stderr's fstat).
bool stderrIsJournal();

}  // namespace warren::logging
