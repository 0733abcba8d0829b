// Hot reload over real loopback sockets: open connections keep relaying, byte-exact,
// while the configuration changes under them (routes, weights, certificates, listeners
// added and removed); a refused config changes nothing; least-connections counts survive;
// a removed listener stops accepting while its connections stay.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "support/checks.h"
#include "support/running_server.h"
#include "support/test_backend.h"
#include "support/tls_client.h"

namespace warren::test {
namespace {

config::Listener listener(const std::string& name, const std::string& cluster) {
  config::Listener l;
  l.name = name;
  l.address = *Address::parse("127.0.0.1:0");
  l.cluster = cluster;
  l.protocol = config::ListenerProtocol::Tcp;
  return l;
}

config::Cluster cluster(const std::string& name, const std::vector<std::pair<Address, uint32_t>>& nodes) {
  config::Cluster c;
  c.name = name;
  c.connect_timeout = std::chrono::seconds(2);
  for (const auto& [a, w] : nodes) c.nodes.push_back(config::Node{a, w});
  return c;
}

// True if a TCP connect to `a` succeeds (no test failure when refused).
bool accepts(const Address& a) {
  const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = ::connect(fd, a.sockAddr(), a.sockLen()) == 0;
  ::close(fd);
  return ok;
}

// Connections that echo random chunks in rounds on a few threads until stopped.
class EchoLoad {
 public:
  EchoLoad(const Address& front, int connections, int threads) : per_thread_(connections / threads) {
    for (int i = 0; i < connections; ++i) sockets_.push_back(TestSocket::connect(front));
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { run(t); });
  }
  ~EchoLoad() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  uint64_t exchanges() const { return exchanges_.load(); }
  uint64_t failures() const { return failures_.load(); }
  std::vector<TestSocket>& sockets() { return sockets_; }

 private:
  void run(int t) {
    std::mt19937 rng(static_cast<uint32_t>(1000 + t));
    std::uniform_int_distribution<size_t> size(1, 8192);
    std::uniform_int_distribution<int> byte(0, 255);
    while (!stop_) {
      for (int i = t * per_thread_; i < (t + 1) * per_thread_ && !stop_; ++i) {
        std::string chunk(size(rng), '\0');
        for (char& c : chunk) c = static_cast<char>(byte(rng));
        if (!sockets_[i].sendAll(chunk) || sockets_[i].recvExact(chunk.size()) != chunk) {
          ++failures_;
          return;
        }
        ++exchanges_;
      }
    }
  }

  const int per_thread_;
  std::vector<TestSocket> sockets_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> exchanges_{0};
  std::atomic<uint64_t> failures_{0};
};

TEST(Reload, ThousandConnectionsRelayByteExactThroughFiftyReloads) {
  TestBackend a(TestBackend::echo, "127.0.0.1:0", 1024), b(TestBackend::echo, "127.0.0.1:0", 1024),
      c(TestBackend::echo);
  a.start();
  b.start();
  c.start();
  // Generation i of the config: "front" alternates its cluster (a route change), "backend"
  // its weights, "secure" its certificate; "extra" exists in odd generations only.
  auto generation = [&](int i) {
    auto cfg = std::make_shared<config::Config>();
    cfg->source = "test";
    cfg->global.workers = 2;
    cfg->global.shutdown_timeout = std::chrono::seconds(5);
    cfg->listeners.push_back(listener("front", i % 2 == 0 ? "backend" : "backend2"));
    cfg->listeners.back().max_connections_per_source = 0;  // 1000 clients, all from 127.0.0.1
    auto secure = listener("secure", "backend");
    secure.tls.enabled = true;
    secure.tls.certificates = {fixtureCertificate(i % 3 == 0 ? "localhost-ecdsa" : "rabbit-ecdsa")};
    cfg->listeners.push_back(secure);
    if (i % 2 == 1) cfg->listeners.push_back(listener("extra", "backend2"));
    cfg->clusters.push_back(cluster("backend", {{a.address(), 1 + i % 5}, {b.address(), 5 - i % 5}}));
    cfg->clusters.push_back(cluster("backend2", {{c.address(), 1}}));
    return cfg;
  };
  RunningServer warren(generation(0));
  const Address front = warren.address("front");
  EchoLoad load(front, 1000, 4);
  ASSERT_TRUE(eventually([&] { return load.exchanges() >= 1000; }));

  int refused = 0;
  for (int i = 1; i <= 50; ++i) {
    if (i % 10 == 5) {
      // A config that cannot apply at runtime is refused and changes nothing.
      auto bad = generation(i);
      bad->global.workers = 3;
      auto result = warren.server().reload(bad);
      EXPECT_FALSE(result.ok);
      EXPECT_NE(result.message.find("global.workers cannot change at runtime"), std::string::npos) << result.message;
      ++refused;
    }
    auto result = warren.server().reload(generation(i));
    ASSERT_TRUE(result.ok) << result.message;
    EXPECT_EQ(warren.server().listenerAddress("front"), front);  // same name and address: same socket
    EXPECT_EQ(warren.server().listenerAddress("extra").valid(), i % 2 == 1);
    if (i % 7 == 0) {
      // New connections follow the new rules: the route, the listener set, the certificate.
      TestSocket fresh = TestSocket::connect(front);
      expectEcho(fresh, "generation " + std::to_string(i));
      if (i % 2 == 1) {
        TestSocket extra = TestSocket::connect(warren.server().listenerAddress("extra"));
        expectEcho(extra, "extra");
      }
      std::string error;
      auto tls = TlsClient::connect(warren.server().listenerAddress("secure"), TlsClientOptions{}, &error);
      ASSERT_TRUE(tls) << error;
      EXPECT_EQ(peerCommonName(tls->ssl()), i % 3 == 0 ? "localhost" : "rabbit.example.com");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const uint64_t after_reloads = load.exchanges();
  ASSERT_TRUE(eventually([&] { return load.exchanges() >= after_reloads + 1000; }));
  load.stop();
  RecordProperty("exchanges", std::to_string(load.exchanges()));
  RecordProperty("exchanges_during_reloads", std::to_string(after_reloads));
  EXPECT_EQ(load.failures(), 0u);
  EXPECT_EQ(refused, 5);
  // Every one of the 1,000 is still open and still relays.
  EXPECT_GE(warren.totals().active, 1000u);
  for (auto& s : load.sockets()) expectEcho(s, "still here");
  EXPECT_EQ(warren.totals().closed_by_reason[static_cast<size_t>(session::CloseReason::ConnectFailed)], 0u);
  // Probes of generations 7, 21, 35 and 49 (odd: "front" → backend2, and "extra") reached c;
  // the load and every other probe went to "backend".
  EXPECT_EQ(c.accepted(), 8);
  EXPECT_GE(a.accepted() + b.accepted(), 1003);
}

TEST(Reload, LeastConnectionsCountsSurvive) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  auto first = makeConfig({a.address()});
  RunningServer warren(first);
  std::vector<TestSocket> on_a;
  for (int i = 0; i < 6; ++i) {
    on_a.push_back(TestSocket::connect(warren.address()));
    expectEcho(on_a.back(), "a");
  }
  auto second = makeConfig({a.address(), b.address()});
  ASSERT_TRUE(warren.server().reload(second).ok);
  const auto nodes = warren.server().clusters()[0]->nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]->active(), 6u);  // the same Node: its count came along
  // b starts at 0 while a carries 6: the next 6 connections all go to b.
  std::vector<TestSocket> next;
  for (int i = 0; i < 6; ++i) {
    next.push_back(TestSocket::connect(warren.address()));
    expectEcho(next.back(), "b");
  }
  EXPECT_EQ(a.accepted(), 6);
  EXPECT_EQ(b.accepted(), 6);
  for (auto& s : on_a) expectEcho(s, "a still");
}

TEST(Reload, RemovedListenerStopsAcceptingWhileItsConnectionsRelay) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto cfg = makeConfig({backend.address()});
  cfg->listeners.push_back(listener("side", "backend"));
  RunningServer warren(cfg);
  const Address side = warren.address("side");
  TestSocket open = TestSocket::connect(side);
  expectEcho(open, "before");

  auto without = makeConfig({backend.address()});
  auto result = warren.server().reload(without);
  ASSERT_TRUE(result.ok) << result.message;
  EXPECT_NE(result.message.find("listeners_removed=[side]"), std::string::npos) << result.message;
  EXPECT_FALSE(warren.server().listenerAddress("side").valid());
  EXPECT_TRUE(eventually([&] { return !accepts(side); }));
  expectEcho(open, "after the listener closed");
  TestSocket front = TestSocket::connect(warren.address("front"));
  expectEcho(front, "front still accepts");
}

TEST(Reload, ListenerThatCannotBindRefusesTheWholeReload) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket open = TestSocket::connect(warren.address());
  expectEcho(open, "before");
  auto before = warren.server().config();

  auto next = makeConfig({backend.address()});
  auto taken = listener("taken", "backend");
  taken.address = backend.address();  // in use by the backend, which is not SO_REUSEPORT
  next->listeners.push_back(taken);
  next->clusters[0].nodes[0].weight = 9;
  auto result = warren.server().reload(next);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("listener taken"), std::string::npos) << result.message;
  EXPECT_EQ(warren.server().config(), before);
  EXPECT_EQ(warren.server().clusters()[0]->nodes()[0]->weight(), 1u);
  expectEcho(open, "after");
}

}  // namespace
}  // namespace warren::test
