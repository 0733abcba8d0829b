// warren-bench-backend: the node behind the proxy under test in the bench (see
// bench/loadgen/README.md). Single-threaded epoll server; on SIGTERM/SIGINT it writes
// its counters as JSON (to --stats-file or stdout) and exits 0.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "backend/backend_server.h"
#include "common/event_loop.h"
#include "common/net.h"

namespace {

using warren::bench::EventLoop;

// Turns SIGTERM/SIGINT into an event of the loop.
class SignalWatch : public EventLoop::Handler {
 public:
  explicit SignalWatch(int fd) : fd_(fd) {}
  void onEvents(uint32_t) override {
    signalfd_siginfo info{};
    while (read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) stop = true;
  }
  bool stop = false;

 private:
  int fd_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"warren-bench-backend: bench node speaking the WBCH command protocol"};
  std::string listen;
  std::string proxy_protocol = "v2";
  std::string stats_file;
  app.add_option("--listen", listen, "IP:PORT to listen on (port 0 = any free port)")->required();
  app.add_option("--proxy-protocol", proxy_protocol, "PROXY header every connection must start with")
      ->check(CLI::IsMember({"v2", "v1", "none"}));
  app.add_option("--stats-file", stats_file, "where to write the stats JSON at exit (default stdout)");
  CLI11_PARSE(app, argc, argv);

  const auto address = warren::bench::parseHostPort(listen);
  if (!address) {
    std::cerr << "warren-bench-backend: bad --listen address: " << listen << "\n";
    return 2;
  }
  warren::bench::raiseOpenFilesLimit();

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  const int sfd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);

  EventLoop loop;
  SignalWatch watch(sfd);
  const auto expected = proxy_protocol == "v2"   ? warren::bench::ExpectedHeader::V2
                        : proxy_protocol == "v1" ? warren::bench::ExpectedHeader::V1
                                                 : warren::bench::ExpectedHeader::None;
  warren::bench::BackendServer server(loop, expected);
  std::string error;
  if (sfd < 0 || !loop.ok() || !loop.add(sfd, EPOLLIN, &watch) || !server.listen(*address, error)) {
    std::cerr << "warren-bench-backend: " << (error.empty() ? "setup failed" : error) << "\n";
    return 1;
  }
  // Scripts wait for this line (and read the port from it when they passed port 0).
  std::cerr << "warren-bench-backend listening on " << server.boundAddress().toString() << std::endl;

  while (!watch.stop) loop.runOnce(-1);

  const std::string json = warren::bench::statsJson(server.stats()) + "\n";
  if (stats_file.empty()) {
    std::cout << json << std::flush;
  } else {
    std::ofstream out(stats_file, std::ios::trunc);
    out << json;
    if (!out.flush()) {
      std::cerr << "warren-bench-backend: cannot write " << stats_file << "\n";
      return 1;
    }
  }
  return 0;
}
