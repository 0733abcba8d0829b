// AMQP awareness over real loopback sockets: a fake broker and a raw AMQP 0-9-1 client
// negotiate heartbeat 1 s through Warren; a silent side is cut as heartbeat_timeout within
// multiplier × H (+ 1 s of slack), a node that gives up on a silent client first is that
// heartbeat timeout too, a side paused by backpressure is not, heartbeat 0 is
// never cut, the handshake has a deadline, and a non-AMQP client gets the AMQP header.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <thread>

#include "support/amqp_frames.h"
#include "support/log_capture.h"
#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using session::CloseReason;
namespace f = amqp091;

std::shared_ptr<config::Config> amqpConfig(const Address& node) {
  auto c = makeConfig({node});
  auto& l = c->listeners[0];
  l.protocol = config::ListenerProtocol::Amqp;
  l.heartbeat_multiplier = 3;
  l.amqp_handshake_timeout = std::chrono::seconds(5);
  return c;
}

bool readHandshakeAsBroker(TestSocket& s, uint16_t heartbeat) {
  if (s.recvExact(8) != f::kProtocolHeader) return false;
  if (!s.sendAll(f::start())) return false;
  // Start-Ok, Tune-Ok and Open: read until the Open frame's end (sizes from the headers).
  for (int frames = 0; frames < 3; ++frames) {
    std::string header = s.recvExact(7);
    if (header.size() != 7) return false;
    uint32_t size = (uint8_t(header[3]) << 24) | (uint8_t(header[4]) << 16) | (uint8_t(header[5]) << 8) | uint8_t(header[6]);
    if (s.recvExact(size + 1).size() != size + 1) return false;
    if (frames == 0 && !s.sendAll(f::tune(heartbeat))) return false;
  }
  return s.sendAll(f::openOk());
}

bool handshakeAsClient(TestSocket& c, uint16_t heartbeat) {
  if (!c.sendAll(f::kProtocolHeader)) return false;
  std::string start = c.recvExact(f::start().size());
  if (start != f::start()) return false;
  if (!c.sendAll(f::startOk("component-test", "pw-never-logged"))) return false;
  if (c.recvExact(f::tune(heartbeat).size()) != f::tune(heartbeat)) return false;
  if (!c.sendAll(f::tuneOk(heartbeat) + f::open("/"))) return false;
  return c.recvExact(f::openOk().size()) == f::openOk();
}

// Sends heartbeats every 250 ms until `stop`, bounded to 60 s.
void beat(TestSocket& s, const std::atomic<bool>& stop) {
  for (int i = 0; i < 240 && !stop; ++i) {
    if (!s.sendAll(f::kHeartbeat)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

uint64_t closedBy(const RunningServer& w, CloseReason r) { return w.totals().closed_by_reason[static_cast<size_t>(r)]; }

TEST(Amqp, SilentClientIsCutAsHeartbeatTimeout) {
  std::atomic<bool> stop{false};
  TestBackend broker([&](TestSocket& s) {
    if (!readHandshakeAsBroker(s, 1)) return;
    beat(s, stop);  // the node stays healthy
  });
  broker.start();
  RunningServer warren(amqpConfig(broker.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 1));
  auto t0 = std::chrono::steady_clock::now();
  // The client now says nothing (it still drains what arrives).
  bool eof = false;
  client.recvUntilEof(&eof);
  auto waited = std::chrono::steady_clock::now() - t0;
  stop = true;
  EXPECT_TRUE(eof);
  EXPECT_LE(waited, std::chrono::seconds(3 * 1 + 1));
  EXPECT_GE(waited, std::chrono::milliseconds(2500));
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::HeartbeatTimeout)] == 1;
  }));
  auto t = warren.totals();
  EXPECT_EQ(t.amqp_protocol[static_cast<size_t>(amqp::Protocol::Amqp091)], 1u);
  EXPECT_EQ(t.heartbeat_seconds.sum, 1u);
  // The labeled counters behind /metrics.
  const session::ListenerTotals front = warren.server().snapshot().listeners.at("front");
  EXPECT_EQ(front.amqp_protocol[static_cast<size_t>(amqp::Protocol::Amqp091)], 1u);
  EXPECT_EQ(front.heartbeat_seconds.buckets[1], 1u);  // 0 < 1 s ≤ 5 s
  EXPECT_EQ(front.heartbeat_seconds.sum, 1u);
  uint64_t timed = 0;
  for (uint64_t n : front.amqp_handshake_ms.buckets) timed += n;
  EXPECT_EQ(timed, 1u);
  EXPECT_EQ(front.closed_by_reason[static_cast<size_t>(CloseReason::HeartbeatTimeout)], 1u);
}

TEST(Amqp, SilentNodeIsCutAsHeartbeatTimeout) {
  TestBackend broker([&](TestSocket& s) {
    if (!readHandshakeAsBroker(s, 1)) return;
    s.recvUntilEof();  // reads, never writes again
  });
  broker.start();
  RunningServer warren(amqpConfig(broker.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 1));
  std::atomic<bool> stop{false};
  auto t0 = std::chrono::steady_clock::now();
  std::thread heart([&] { beat(client, stop); });
  bool eof = false;
  client.recvUntilEof(&eof);
  auto waited = std::chrono::steady_clock::now() - t0;
  stop = true;
  heart.join();
  EXPECT_TRUE(eof);
  EXPECT_LE(waited, std::chrono::seconds(3 * 1 + 1));
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::HeartbeatTimeout)] == 1;
  }));
}

// RabbitMQ gives up on a client silent for two heartbeats and resets the socket (linger 0).
// The node's side: heartbeats to the client for `after`, then a reset (or a FIN, reading on).
void beatThenEnd(TestSocket& s, std::chrono::milliseconds after, bool reset) {
  for (auto t0 = std::chrono::steady_clock::now(); std::chrono::steady_clock::now() - t0 < after;) {
    if (!s.sendAll(f::kHeartbeat)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (reset) {
    linger l{1, 0};
    setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    s.close();
    return;
  }
  s.shutdownWrite();  // a FIN; then read on (closing with unread bytes would be a reset)
  s.recvUntilEof();
}

// The broker noticed first (2.3 s of client silence, heartbeat 1 s, Warren's own limit 3 s):
// that is a heartbeat timeout of the client, detected by the node, not a node error.
TEST(Amqp, NodeResettingASilentClientIsAHeartbeatTimeout) {
  LogCapture log;
  TestBackend broker([&](TestSocket& s) {
    if (readHandshakeAsBroker(s, 1)) beatThenEnd(s, std::chrono::milliseconds(2300), /*reset=*/true);
  });
  broker.start();
  RunningServer warren(amqpConfig(broker.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 1));
  EXPECT_TRUE(client.waitClosed());  // silent, draining the node's heartbeats
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(closedBy(warren, CloseReason::HeartbeatTimeout), 1u);
  EXPECT_EQ(closedBy(warren, CloseReason::NodeError), 0u);
  const auto lines = log.lines("heartbeat_timeout client=");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("silent=client"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("limit_ms=2000 "), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("detected_by=node"), std::string::npos) << lines[0];
}

// A node that ends the connection of a client that keeps talking is the node's doing.
TEST(Amqp, NodeEndingALiveClientIsTheNodes) {
  for (bool reset : {true, false}) {
    TestBackend broker([&](TestSocket& s) {
      if (readHandshakeAsBroker(s, 1)) beatThenEnd(s, std::chrono::milliseconds(2300), reset);
    });
    broker.start();
    RunningServer warren(amqpConfig(broker.address()));
    TestSocket client = TestSocket::connect(warren.address());
    ASSERT_TRUE(handshakeAsClient(client, 1));
    std::atomic<bool> stop{false};
    std::thread heart([&] { beat(client, stop); });
    EXPECT_TRUE(client.waitClosed());
    stop = true;
    heart.join();
    client.close();
    ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
    EXPECT_EQ(closedBy(warren, CloseReason::HeartbeatTimeout), 0u) << "reset=" << reset;
    EXPECT_EQ(closedBy(warren, reset ? CloseReason::NodeError : CloseReason::NodeClosed), 1u) << "reset=" << reset;
  }
}

// RabbitMQ blocks a publisher during a resource alarm: it stops reading, the client's
// writes back up, Warren stops reading the client. That silence is Warren's own doing.
TEST(Amqp, DirectionPausedByBackpressureIsNotSilent) {
  std::atomic<bool> release{false};
  std::atomic<bool> stop{false};
  TestBackend broker([&](TestSocket& s) {
    if (!readHandshakeAsBroker(s, 1)) return;
    std::thread heart([&] { beat(s, stop); });  // the node is alive, but reads nothing
    for (int i = 0; i < 400 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    s.setTimeout(std::chrono::milliseconds(500));
    s.recvUntilEof();
    stop = true;
    heart.join();
  });
  broker.start();
  auto c = amqpConfig(broker.address());
  c->global.buffer_high_watermark = 64 * 1024;
  c->global.buffer_low_watermark = 32 * 1024;
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 1));
  // Publish until the pipe is full, then wait 2 × the heartbeat limit, blocked.
  std::string body(65536, 'p');
  client.setTimeout(std::chrono::milliseconds(300));
  for (int i = 0; i < 2000; ++i) {
    if (::send(client.fd(), body.data(), body.size(), MSG_NOSIGNAL) <= 0) break;
  }
  ASSERT_GE(warren.totals().backpressure_pauses, 1u);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(closedBy(warren, CloseReason::HeartbeatTimeout), 0u);
  EXPECT_EQ(warren.totals().active, 1u);
  release = true;
}

TEST(Amqp, HeartbeatZeroIsNeverCutForBeingQuiet) {
  TestBackend broker([&](TestSocket& s) {
    if (!readHandshakeAsBroker(s, 0)) return;
    s.recvUntilEof();
  });
  broker.start();
  auto c = amqpConfig(broker.address());
  c->listeners[0].heartbeat_multiplier = 1;
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 0));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(warren.totals().active, 1u);
  ASSERT_TRUE(client.sendAll(f::kHeartbeat));  // still connected end to end
  EXPECT_EQ(warren.totals().closed_by_reason[static_cast<size_t>(CloseReason::IdleTimeout)], 0u);
}

TEST(Amqp, HeartbeatZeroWithQuietLimitIsCut) {
  TestBackend broker([&](TestSocket& s) {
    if (!readHandshakeAsBroker(s, 0)) return;
    s.recvUntilEof();
  });
  broker.start();
  auto c = amqpConfig(broker.address());
  c->listeners[0].idle_timeout_without_heartbeat = std::chrono::milliseconds(500);
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(handshakeAsClient(client, 0));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::IdleTimeout)] == 1;
  }));
}

// A broker that sends Start and then only listens.
void startThenListen(TestSocket& s) {
  s.recvExact(8);
  s.sendAll(f::start());
  s.recvUntilEof();
}

// Warren with a 500 ms handshake deadline in front of a broker that sends Start, then only
// listens; a client connected to it.
struct StalledHandshake {
  TestBackend broker{startThenListen};
  std::unique_ptr<RunningServer> warren;
  TestSocket client;
  StalledHandshake() {
    broker.start();
    auto c = amqpConfig(broker.address());
    c->listeners[0].amqp_handshake_timeout = std::chrono::milliseconds(500);
    warren = std::make_unique<RunningServer>(c);
    client = TestSocket::connect(warren->address());
  }
  bool closedAsHandshakeTimeout() {
    return warren->waitFor([](const session::Totals& s) {
      return s.closed_by_reason[static_cast<size_t>(CloseReason::AmqpHandshakeTimeout)] == 1;
    });
  }
};

TEST(Amqp, HandshakeThatStallsIsCut) {
  StalledHandshake h;
  ASSERT_TRUE(h.client.sendAll(f::kProtocolHeader));  // and nothing more
  EXPECT_TRUE(h.client.waitClosed());
  EXPECT_TRUE(h.closedAsHandshakeTimeout());
}

// A handshake the sniffer cannot read (here a frame whose header claims 2 GiB) is no finished
// handshake: the deadline still holds, so a client cannot hold a connection and a node slot
// forever by sending one oversized frame.
TEST(Amqp, HandshakeTheSnifferCannotReadKeepsItsDeadline) {
  StalledHandshake h;
  ASSERT_TRUE(h.client.sendAll(f::kProtocolHeader));
  ASSERT_EQ(h.client.recvExact(f::start().size()), f::start());
  ASSERT_TRUE(h.client.sendAll(std::string("\x01\x00\x00\x7f\xff\xff\xff", 7)));  // method frame, 2 GiB
  EXPECT_TRUE(h.client.waitClosed());
  EXPECT_TRUE(h.closedAsHandshakeTimeout());
}

// Bytes that arrive with an outer PROXY header (or with the client's TLS Finished) go out
// coalesced with Warren's own header: the sniffer must read them too, or it would start
// mid-handshake and take a good client for a wrong protocol.
TEST(Amqp, EarlyBytesCoalescedWithTheProxyHeaderAreSniffed) {
  std::atomic<bool> stop{false};
  TestBackend broker([&](TestSocket& s) {
    std::string header = s.recvExact(std::string("PROXY TCP4 203.0.113.9 127.0.0.1 4000 5672\r\n").size());
    if (!readHandshakeAsBroker(s, 1)) return;
    beat(s, stop);
  });
  broker.start();
  auto c = amqpConfig(broker.address());
  c->listeners[0].accept_proxy = true;
  c->clusters[0].proxy_protocol = config::ProxyProtocol::V1;
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  // The outer header and the AMQP protocol header in one write.
  ASSERT_TRUE(client.sendAll("PROXY TCP4 203.0.113.9 127.0.0.1 4000 5672\r\n" + f::kProtocolHeader));
  ASSERT_EQ(client.recvExact(f::start().size()), f::start());
  ASSERT_TRUE(client.sendAll(f::startOk("early", "pw")));
  ASSERT_EQ(client.recvExact(f::tune(1).size()), f::tune(1));
  ASSERT_TRUE(client.sendAll(f::tuneOk(1) + f::open("/")));
  EXPECT_EQ(client.recvExact(f::openOk().size()), f::openOk());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.amqp_protocol[static_cast<size_t>(amqp::Protocol::Amqp091)] == 1;
  }));
  EXPECT_EQ(warren.totals().heartbeat_seconds.sum, 1u);
  stop = true;
}

// AMQP 1.0 (no SASL layer): each side's open advertises idle-time-out 1000 ms; a client
// that then says nothing is cut within multiplier × 1 s while the node keeps sending empty
// frames (1.0's heartbeat).
TEST(Amqp, Amqp10IdleTimeOutIsFollowed) {
  const std::string header("AMQP\0\x01\0\0", 8);
  // open performative (descriptor 0x10) as a list8: container-id "c", hostname, max-frame-size,
  // channel-max null, idle-time-out uint 1000 ms.
  const std::string open_body("\x00\x53\x10\xC0\x0C\x05\xA1\x01" "c" "\x40\x40\x40\x70\x00\x00\x03\xE8", 17);
  const std::string open = std::string("\x00\x00\x00\x19\x02\x00\x00\x00", 8) + open_body;
  const std::string empty_frame("\x00\x00\x00\x08\x02\x00\x00\x00", 8);
  std::atomic<bool> stop{false};
  TestBackend broker([&](TestSocket& s) {
    if (s.recvExact(8) != header || !s.sendAll(header)) return;
    if (s.recvExact(open.size()) != open || !s.sendAll(open)) return;
    for (int i = 0; i < 120 && !stop; ++i) {  // empty frames every 250 ms, bounded
      if (!s.sendAll(empty_frame)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  broker.start();
  RunningServer warren(amqpConfig(broker.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll(header));
  ASSERT_EQ(client.recvExact(8), header);
  ASSERT_TRUE(client.sendAll(open));
  ASSERT_EQ(client.recvExact(open.size()), open);
  auto t0 = std::chrono::steady_clock::now();
  bool eof = false;
  client.recvUntilEof(&eof);
  auto waited = std::chrono::steady_clock::now() - t0;
  stop = true;
  EXPECT_TRUE(eof);
  EXPECT_GE(waited, std::chrono::milliseconds(2500));
  EXPECT_LE(waited, std::chrono::seconds(3 * 1 + 1));
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::HeartbeatTimeout)] == 1;
  }));
  EXPECT_EQ(warren.totals().amqp_protocol[static_cast<size_t>(amqp::Protocol::Amqp10)], 1u);
}

TEST(Amqp, WrongProtocolGetsTheAmqpHeader) {
  TestBackend broker(TestBackend::echo);
  broker.start();
  RunningServer warren(amqpConfig(broker.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.recvExact(8), f::kProtocolHeader);
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::ProtocolMismatch)] == 1;
  }));
  EXPECT_EQ(warren.totals().amqp_misdirected[static_cast<size_t>(amqp::Misdirected::Http)], 1u);
}

}  // namespace
}  // namespace warren::test
