// Active health checks and passive marking, over real loopback sockets: a node that dies
// is marked down and gets no new connection; back up after `rise` checks it gets its share
// again, ramped by slow start; the amqp check wants a Connection.Start frame; refused
// connects from traffic mark a node down before any check runs.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "proxy_protocol/parser.h"
#include "support/amqp_frames.h"
#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using namespace std::chrono_literals;
using upstream::Health;

// A test backend that echoes and counts the connections that carried data: health checks
// (which send nothing, or only protocol headers) are not counted.
struct CountingEcho {
  std::shared_ptr<std::atomic<int>> served = std::make_shared<std::atomic<int>>(0);
  TestBackend::Handler handler() const {
    return [served = served](TestSocket& s) {
      std::string data = s.recvSome();
      if (data.empty()) return;
      ++*served;
      do {
        if (!s.sendAll(data)) return;
        data = s.recvSome();
      } while (!data.empty());
    };
  }
};

std::shared_ptr<config::Config> checkedConfig(const std::vector<Address>& nodes, config::HealthCheckType type) {
  auto c = makeConfig(nodes);
  c->global.workers = 1;
  config::HealthCheck& h = c->clusters[0].health_check;
  h.enabled = true;
  h.type = type;
  h.interval = 100ms;
  h.timeout = 100ms;
  h.rise = 2;
  h.fall = 2;
  return c;
}

upstream::Node& nodeOf(RunningServer& warren, size_t i) { return *warren.server().clusters()[0]->nodes()[i]; }

// Polls (bounded) until the node has `health`.
bool waitHealth(const upstream::Node& node, Health health, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (node.health() != health) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Opens `n` connections that stay open (each echoes one byte first, so it reached a node).
void openHeld(const Address& front, int n, std::vector<TestSocket>& held) {
  for (int i = 0; i < n; ++i) {
    held.push_back(TestSocket::connect(front));
    ASSERT_TRUE(held.back().sendAll("x"));
    ASSERT_EQ(held.back().recvExact(1), "x");
  }
}

TEST(HealthCheck, KilledNodeGoesDownAndComesBackWithSlowStart) {
  CountingEcho a_count, b_count;
  auto a = std::make_unique<TestBackend>(a_count.handler());
  a->start();
  const Address a_address = a->address();
  TestBackend b(b_count.handler());
  b.start();
  auto c = checkedConfig({a_address, b.address()}, config::HealthCheckType::Tcp);
  c->clusters[0].slow_start = 3s;
  RunningServer warren(c);
  upstream::Node& node_a = nodeOf(warren, 0);
  ASSERT_TRUE(waitHealth(node_a, Health::Up));
  ASSERT_TRUE(waitHealth(nodeOf(warren, 1), Health::Up));

  a.reset();  // killed: connects are refused from now on
  // interval × fall plus one timeout, and a generous margin for a loaded machine.
  ASSERT_TRUE(waitHealth(node_a, Health::Down, 100ms * 2 + 100ms + 5s));
  EXPECT_GE(node_a.checkFailuresTotal(), 2u);
  for (int i = 0; i < 6; ++i) {
    TestSocket client = TestSocket::connect(warren.address());
    ASSERT_TRUE(client.sendAll("y"));
    EXPECT_EQ(client.recvExact(1), "y");
  }
  EXPECT_EQ(warren.totals().connect_failures, 0u) << "a down node was tried";
  EXPECT_TRUE(b.waitAccepted(1));

  a = std::make_unique<TestBackend>(a_count.handler(), a_address.toString().c_str());
  a->start();
  ASSERT_TRUE(waitHealth(node_a, Health::Up));
  EXPECT_GT(node_a.upSince(), 0);
  // Just back: a ramped weight near zero, so least_conn prefers b even with open connections.
  std::vector<TestSocket> held;
  const int a_before = a_count.served->load();
  openHeld(warren.address(), 6, held);
  const int a_early = a_count.served->load() - a_before;
  // After the ramp a has its full weight and catches up on connection counts.
  std::this_thread::sleep_for(c->clusters[0].slow_start);
  openHeld(warren.address(), 6, held);
  const int a_late = a_count.served->load() - a_before - a_early;
  EXPECT_LE(a_early, 1);
  EXPECT_GT(a_late, a_early);
  EXPECT_GE(a_late, 4);
}

// A fake broker: records the first bytes each connection sends, answers with `answer`,
// then waits for the checker to close (and records whether that was a clean FIN).
struct FakeBroker {
  std::string answer;
  std::mutex mutex;
  std::vector<std::string> first_bytes;
  std::vector<Address> peers;
  std::atomic<int> clean_closes{0};

  TestBackend::Handler handler() {
    return [this](TestSocket& s) {
      s.setTimeout(2s);
      std::string got = s.recvSome();
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      getpeername(s.fd(), reinterpret_cast<sockaddr*>(&ss), &len);
      {
        std::lock_guard<std::mutex> lock(mutex);
        first_bytes.push_back(got);
        peers.emplace_back(reinterpret_cast<sockaddr*>(&ss));
      }
      if (got.empty() || !s.sendAll(answer)) return;
      bool eof = false;
      s.recvUntilEof(&eof);
      if (eof) ++clean_closes;
    };
  }
  std::string first() {
    std::lock_guard<std::mutex> lock(mutex);
    return first_bytes.empty() ? "" : first_bytes[0];
  }
};

TEST(HealthCheck, AmqpCheckPassesOnConnectionStartAndClosesCleanly) {
  FakeBroker broker;
  broker.answer = amqp091::start();
  TestBackend node(broker.handler());
  node.start();
  RunningServer warren(checkedConfig({node.address()}, config::HealthCheckType::Amqp));
  upstream::Node& n = nodeOf(warren, 0);
  ASSERT_TRUE(waitHealth(n, Health::Up));
  EXPECT_EQ(broker.first(), amqp091::kProtocolHeader);
  EXPECT_EQ(n.checkFailuresTotal(), 0u);
  EXPECT_GE(n.checksTotal(), 1u);
  EXPECT_GT(n.lastCheckDurationUs(), 0u);
  // The check closed with a FIN (not a reset) after reading Start.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (broker.clean_closes.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(broker.clean_closes.load(), 1);
}

TEST(HealthCheck, AmqpCheckFailsOnGarbage) {
  FakeBroker broker;
  broker.answer = "HTTP/1.1 400 Bad Request\r\n\r\n";
  TestBackend node(broker.handler());
  node.start();
  RunningServer warren(checkedConfig({node.address()}, config::HealthCheckType::Amqp));
  upstream::Node& n = nodeOf(warren, 0);
  ASSERT_TRUE(waitHealth(n, Health::Down));
  EXPECT_GE(n.checkFailuresTotal(), 2u);
  EXPECT_EQ(n.checkFailuresTotal(), n.checksTotal());
}

TEST(HealthCheck, AmqpCheckFailsOnSilence) {
  FakeBroker broker;
  broker.answer = "";  // reads the header, answers nothing until the checker gives up
  TestBackend node(broker.handler());
  node.start();
  auto c = checkedConfig({node.address()}, config::HealthCheckType::Amqp);
  c->clusters[0].health_check.fall = 1;
  RunningServer warren(c);
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Down));
}

// own_address: a PROXY command from the check socket's own address to the node, in the
// same write as the AMQP header.
TEST(HealthCheck, AmqpCheckSendsProxyV2WithItsOwnAddress) {
  FakeBroker broker;
  broker.answer = amqp091::start();
  TestBackend node(broker.handler());
  node.start();
  auto c = checkedConfig({node.address()}, config::HealthCheckType::Amqp);
  c->clusters[0].proxy_protocol = config::ProxyProtocol::V2;
  RunningServer warren(c);
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Up));
  const std::string first = broker.first();
  proxy_protocol::Header header;
  auto parsed = proxy_protocol::parse({reinterpret_cast<const uint8_t*>(first.data()), first.size()}, header);
  ASSERT_EQ(parsed.status, proxy_protocol::ParseStatus::Done);
  EXPECT_EQ(header.command, proxy_protocol::Command::Proxy);
  ASSERT_TRUE(header.has_addresses);
  std::lock_guard<std::mutex> lock(broker.mutex);
  EXPECT_EQ(header.source, broker.peers[0]);
  EXPECT_EQ(header.destination, node.address());
  EXPECT_EQ(first.substr(parsed.consumed), amqp091::kProtocolHeader);
}

TEST(HealthCheck, AmqpCheckSendsLocalWhenAsked) {
  FakeBroker broker;
  broker.answer = amqp091::start();
  TestBackend node(broker.handler());
  node.start();
  auto c = checkedConfig({node.address()}, config::HealthCheckType::Amqp);
  c->clusters[0].proxy_protocol = config::ProxyProtocol::V2;
  c->clusters[0].health_check.proxy = config::HealthCheckProxy::Local;
  RunningServer warren(c);
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Up));
  const std::string first = broker.first();
  proxy_protocol::Header header;
  auto parsed = proxy_protocol::parse({reinterpret_cast<const uint8_t*>(first.data()), first.size()}, header);
  ASSERT_EQ(parsed.status, proxy_protocol::ParseStatus::Done);
  EXPECT_EQ(header.command, proxy_protocol::Command::Local);
  EXPECT_EQ(first.substr(parsed.consumed), amqp091::kProtocolHeader);
}

// Passive: `fall` refused connects from traffic mark the node down at once. The checks run
// once an hour here, so (barring a first check in the test's first second) none has run.
TEST(HealthCheck, RefusedConnectsFromTrafficMarkDownBeforeAnyCheck) {
  CountingEcho b_count;
  TestBackend b(b_count.handler());
  b.start();
  auto c = checkedConfig({refusedAddress(), b.address()}, config::HealthCheckType::Tcp);
  c->clusters[0].health_check.interval = 1h;
  c->clusters[0].health_check.timeout = 1s;
  c->clusters[0].down_backoff = 0ms;  // no passive backoff: only the marking keeps it away
  RunningServer warren(c);
  upstream::Node& refused = nodeOf(warren, 0);
  std::vector<TestSocket> held;
  openHeld(warren.address(), 6, held);
  EXPECT_EQ(refused.health(), Health::Down);
  EXPECT_EQ(refused.passiveDownsTotal(), 1u);
  EXPECT_EQ(refused.checksTotal(), 0u);
  EXPECT_EQ(warren.totals().connect_failures, 2u);  // fall = 2, then never tried again
  EXPECT_EQ(b_count.served->load(), 6);
}

// Without active checks the passive backoff alone applies: the node is never marked Down.
TEST(HealthCheck, WithoutActiveChecksRefusalsOnlyBackOff) {
  TestBackend b(TestBackend::echo);
  b.start();
  auto c = makeConfig({refusedAddress(), b.address()});
  c->global.workers = 1;
  RunningServer warren(c);
  std::vector<TestSocket> held;
  openHeld(warren.address(), 3, held);
  EXPECT_EQ(nodeOf(warren, 0).health(), Health::Unchecked);
  EXPECT_EQ(nodeOf(warren, 0).checksTotal(), 0u);
  EXPECT_EQ(warren.totals().connect_failures, 1u);
}


std::string fixture(const std::string& name) { return std::string(WARREN_SOURCE_DIR) + "/tests/fixtures/tls/" + name; }

// A broker on 5671: PROXY header in clear, then TLS (certificate `stem`), then the AMQP
// handshake's first step. Records what the check did.
struct TlsBroker {
  bssl::UniquePtr<SSL_CTX> ctx{SSL_CTX_new(TLS_method())};
  std::mutex mutex;
  std::string header;           // PROXY header bytes
  std::string amqp_header;      // what came first inside TLS
  std::atomic<int> handshakes{0};
  std::atomic<int> close_notifies{0};
  TestBackend backend{[this](TestSocket& s) { serve(s); }};

  explicit TlsBroker(const std::string& stem) {
    SSL_CTX_use_certificate_chain_file(ctx.get(), fixture(stem + ".crt").c_str());
    SSL_CTX_use_PrivateKey_file(ctx.get(), fixture(stem + ".key").c_str(), SSL_FILETYPE_PEM);
    backend.start();
  }

  void serve(TestSocket& s) {
    s.setTimeout(2s);
    char buf[512];
    const ssize_t n = ::recv(s.fd(), buf, sizeof buf, MSG_PEEK);
    if (n <= 0) return;
    proxy_protocol::Header h;
    auto r = proxy_protocol::parse({reinterpret_cast<uint8_t*>(buf), static_cast<size_t>(n)}, h);
    if (r.status == proxy_protocol::ParseStatus::Done) {
      std::string bytes = s.recvExact(r.consumed);
      std::lock_guard<std::mutex> lock(mutex);
      header = bytes;
    }
    bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), s.fd());
    if (SSL_accept(ssl.get()) != 1) {
      ERR_clear_error();
      return;
    }
    ++handshakes;
    char data[8];
    if (SSL_read(ssl.get(), data, sizeof data) != sizeof data) return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      amqp_header.assign(data, sizeof data);
    }
    const std::string start = amqp091::start();
    if (SSL_write(ssl.get(), start.data(), static_cast<int>(start.size())) != static_cast<int>(start.size())) return;
    char rest[64];
    while (SSL_read(ssl.get(), rest, sizeof rest) > 0) {
    }
    if (SSL_get_shutdown(ssl.get()) & SSL_RECEIVED_SHUTDOWN) ++close_notifies;
    ERR_clear_error();
  }
};

std::shared_ptr<config::Config> tlsChecked(const Address& node, config::HealthCheckType type) {
  auto c = checkedConfig({node}, type);
  c->clusters[0].proxy_protocol = config::ProxyProtocol::V2;
  c->clusters[0].health_check.timeout = c->clusters[0].health_check.interval = 500ms;
  auto& t = c->clusters[0].tls;
  t.enabled = true;
  t.ca = fixture("ca.crt");
  t.server_name = "rabbit.example.com";
  return c;
}

// With [cluster.tls] the check does what a session does: PROXY header in clear, TLS with
// the cluster's verification, the AMQP header inside; then close_notify.
TEST(HealthCheck, AmqpCheckOverTls) {
  TlsBroker broker("rabbit-ecdsa");
  RunningServer warren(tlsChecked(broker.backend.address(), config::HealthCheckType::Amqp));
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Up));
  EXPECT_EQ(nodeOf(warren, 0).checkFailuresTotal(), 0u);
  {
    std::lock_guard<std::mutex> lock(broker.mutex);
    EXPECT_EQ(broker.amqp_header, amqp091::kProtocolHeader);
    proxy_protocol::Header h;
    auto r = proxy_protocol::parse(
        {reinterpret_cast<const uint8_t*>(broker.header.data()), broker.header.size()}, h);
    ASSERT_EQ(r.status, proxy_protocol::ParseStatus::Done);
    EXPECT_EQ(h.command, proxy_protocol::Command::Proxy);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (broker.close_notifies.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(broker.close_notifies.load(), 1);
}

TEST(HealthCheck, TcpCheckOverTlsFailsOnAnUntrustedNode) {
  TlsBroker broker("other-server");  // signed by the other CA
  auto c = tlsChecked(broker.backend.address(), config::HealthCheckType::Tcp);
  c->clusters[0].health_check.fall = 1;
  RunningServer warren(c);
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Down));
  EXPECT_EQ(broker.handshakes.load(), 0);
}

TEST(HealthCheck, TcpCheckOverTlsPassesOnTheHandshake) {
  TlsBroker broker("rabbit-ecdsa");
  RunningServer warren(tlsChecked(broker.backend.address(), config::HealthCheckType::Tcp));
  ASSERT_TRUE(waitHealth(nodeOf(warren, 0), Health::Up));
  EXPECT_GE(broker.handshakes.load(), 1);
}

// What a reload does (Server::reload hands the new clusters over): a node that stays keeps
// its checks and state, a new one starts being checked, a removed one stops and goes back to
// Unchecked; a cluster that drops [cluster.health_check] leaves its nodes Unchecked.
TEST(HealthCheck, SetClustersKeepsStartsAndStopsChecks) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  auto c = checkedConfig({a.address(), refusedAddress()}, config::HealthCheckType::Tcp);
  c->clusters[0].health_check.fall = 1;
  RunningServer warren(c);
  upstream::Node& kept = nodeOf(warren, 0);
  upstream::Node& gone = nodeOf(warren, 1);
  ASSERT_TRUE(waitHealth(kept, Health::Up));
  ASSERT_TRUE(waitHealth(gone, Health::Down));

  config::Cluster next = c->clusters[0];
  next.nodes = {config::Node{a.address(), 1}, config::Node{b.address(), 1}};
  auto reloaded = std::make_shared<upstream::Cluster>(next, warren.server().clusters()[0].get());
  ASSERT_EQ(reloaded->nodes()[0], &kept);
  const uint64_t kept_checks = kept.checksTotal();
  warren.server().healthChecker().setClusters({reloaded});
  EXPECT_TRUE(waitHealth(gone, Health::Unchecked));
  EXPECT_TRUE(waitHealth(*reloaded->nodes()[1], Health::Up));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (kept.checksTotal() < kept_checks + 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(kept.checksTotal(), kept_checks + 3);
  EXPECT_EQ(kept.health(), Health::Up);  // not restarted from Unchecked
  const uint64_t gone_checks = gone.checksTotal();
  std::this_thread::sleep_for(300ms);  // three intervals
  EXPECT_EQ(gone.checksTotal(), gone_checks);

  next.health_check.enabled = false;
  auto unchecked = std::make_shared<upstream::Cluster>(next, reloaded.get());
  warren.server().healthChecker().setClusters({unchecked});
  EXPECT_TRUE(waitHealth(kept, Health::Unchecked));
}

}  // namespace
}  // namespace warren::test
