// Warren's log lines captured in memory for a test (component tests).
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "support/running_server.h"

namespace warren::test {

// Collects Warren's log lines for the lifetime of the object (installed before the server
// starts, removed after it stopped: spdlog's sink list is not changed while workers log).
class LogCapture {
 public:
  // At info level, so that access-log lines would be seen too.
  LogCapture() {
    initTestLogging();
    logging::setup(logging::Level::Info);
    sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
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
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) != std::string::npos) found.push_back(line);
    }
    return found;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace warren::test
