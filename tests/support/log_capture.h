// Warren's log lines captured in memory for a test (component tests).
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "support/running_server.h"

namespace warren::test {

// The lines in memory, read under the sink's lock (workers may still be logging).
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

// Collects Warren's log lines for the lifetime of the object (installed before the server
// starts, removed after it stopped: spdlog's sink list is not changed while workers log).
class LogCapture {
 public:
  // At info level, so that access-log lines would be seen too.
  LogCapture() {
    initTestLogging();
    logging::setup(logging::Level::Info);
    sink_ = std::make_shared<CaptureSink>();
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    logging::setup(logging::Level::Warn);  // the component tests' level
  }
  // Lines that contain `needle`.
  std::vector<std::string> lines(const std::string& needle) {
    std::vector<std::string> found;
    std::istringstream in(sink_->text());
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) != std::string::npos) found.push_back(line);
    }
    return found;
  }

 private:
  std::shared_ptr<CaptureSink> sink_;
};

}  // namespace warren::test
