// A flood of garbage connections over real loopback sockets writes a bounded number of
// warning lines: one per second per event and listener, each later one saying how many it
// stands for (suppressed=N). Every connection is still counted.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "support/checks.h"
#include "support/log_capture.h"
#include "support/running_server.h"
#include "support/test_backend.h"
#include "support/tls_client.h"
#include "tls/diagnosis.h"

namespace warren::test {
namespace {

uint64_t suppressedOf(const std::string& line) {
  static const std::regex re("suppressed=([0-9]+)");
  std::smatch m;
  return std::regex_search(line, m, re) ? std::stoull(m[1]) : 0;
}

TEST(LogFlood, GarbageOnATlsListenerIsLoggedAtMostOncePerSecond) {
  constexpr int kConnections = 300;
  LogCapture log;
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].tls.enabled = true;
  c->listeners[0].tls.certificates = {fixtureCertificate("localhost-ecdsa")};
  const auto start = std::chrono::steady_clock::now();
  {
    RunningServer warren(c);
    for (int i = 0; i < kConnections; ++i) {
      TestSocket s = TestSocket::connect(warren.address());
      ASSERT_TRUE(s.sendAll("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      ASSERT_TRUE(s.waitClosed());
    }
    ASSERT_TRUE(warren.waitFor([](const session::Totals& s) {
      return s.tls_failures[static_cast<size_t>(tls::FailureReason::PlaintextHttp)] == kConnections;
    }));
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  const auto lines = log.lines("tls_handshake_failed client=");
  ASSERT_FALSE(lines.empty());
  // A burst of ten, then one line per started second at most (not one per connection).
  EXPECT_LE(lines.size(), static_cast<size_t>(seconds) + 10);
  EXPECT_LT(lines.size(), static_cast<size_t>(kConnections));
  // The lines written account for the ones they replace: none is counted twice.
  uint64_t represented = 0;
  for (const auto& line : lines) represented += 1 + suppressedOf(line);
  EXPECT_LE(represented, static_cast<uint64_t>(kConnections));
  EXPECT_EQ(suppressedOf(lines.front()), 0u);
}

}  // namespace
}  // namespace warren::test
