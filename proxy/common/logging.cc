#include "common/logging.h"

#include <spdlog/sinks/sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "common/logging_utf8.h"
#include "common/logging_writer.h"

namespace warren::logging {

namespace {

spdlog::level::level_enum toSpdlog(Level level) {
  switch (level) {
    case Level::Trace: return spdlog::level::trace;
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warn: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

LineLevel lineLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return LineLevel::Trace;
    case spdlog::level::debug: return LineLevel::Debug;
    case spdlog::level::info: return LineLevel::Info;
    case spdlog::level::warn: return LineLevel::Warning;
    case spdlog::level::err: return LineLevel::Error;
    default: return LineLevel::Critical;
  }
}

// Formats on the logging thread (CPU only) and queues for the writer thread.
class QueueSink final : public spdlog::sinks::sink {
 public:
  QueueSink()
      : priority_prefix_(stderrIsJournal()),
        writer_(STDERR_FILENO, {}, [this](uint64_t n) {
          const std::string msg = "log_lines_dropped dropped=" + std::to_string(n) +
                                  " hint=\"the log reader did not keep up; warren_log_lines_dropped_total counts them\"";
          return formatLine(format_.load(), {std::chrono::system_clock::now(), LineLevel::Warning, msg},
                            priority_prefix_);
        }) {}

  void log(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const bool access = writer_.hasAccessFile() && eventOf(payload) == "access";
    // The access file carries no syslog priority: it is not the journal.
    std::string line =
        formatLine(format_.load(std::memory_order_relaxed), {msg.time, lineLevel(msg.level), payload},
                   priority_prefix_ && !access);
    writer_.push(std::move(line), access ? LineWriter::Stream::Access : LineWriter::Stream::Main);
  }
  void flush() override {}  // asynchronous: logging::flush() waits for the writer
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

  void setFormat(Format format) { format_ = format; }
  LineWriter& writer() { return writer_; }

 private:
  std::atomic<Format> format_{Format::Text};
  const bool priority_prefix_;
  LineWriter writer_;
};

// Never destroyed: threads may log until the process exits. flush() runs at exit.
QueueSink& sink() {
  static QueueSink* instance = [] {
    auto* s = new QueueSink();
    auto logger = std::make_shared<spdlog::logger>("warren", std::shared_ptr<QueueSink>(s, [](QueueSink*) {}));
    spdlog::set_default_logger(logger);
    std::atexit([] { logging::flush(); });
    return s;
  }();
  return *instance;
}

}  // namespace

void setup(Level level) {
  sink();
  spdlog::default_logger()->set_level(toSpdlog(level));
}

std::string configure(const Options& options) {
  setup(options.level);
  sink().setFormat(options.format);
  return sink().writer().setAccessFile(options.access_log_file);
}

void reopen() { sink().writer().reopen(); }

bool flush(std::chrono::milliseconds timeout) { return sink().writer().flush(timeout); }

uint64_t linesDropped() { return sink().writer().dropped(); }

bool stderrIsJournal() {
  const char* value = std::getenv("JOURNAL_STREAM");
  if (value == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(value, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

std::string quote(std::string_view value) {
  bool plain = !value.empty();
  for (size_t i = 0; i < value.size() && plain; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || c < 0x20 || c == 0x7F) plain = false;
    if (c >= 0x80) {
      const size_t n = utf8SequenceLength(value.substr(i));
      if (n == 0) plain = false;
      else i += n - 1;
    }
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else if (const size_t n = u >= 0x80 ? utf8SequenceLength(value.substr(i)) : 0; n > 0) {
      out.append(value.substr(i, n));
      i += n - 1;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  out += '"';
  return out;
}

std::string capped(std::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes) return std::string(value);
  size_t cut = max_bytes;
  // Back up to a character boundary: never split a UTF-8 sequence (continuation bytes 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return std::string(value.substr(0, cut)) + "...(" + std::to_string(value.size()) + " bytes)";
}

}  // namespace warren::logging
