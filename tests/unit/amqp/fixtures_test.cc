// The handshakes captured from real clients and a real RabbitMQ 3.10 node
// (tests/fixtures/amqp/), fed in their real client/server order at every fragment size,
// give the exact values the peers sent, finish at the right byte, and buffer within bounds.
#include <gtest/gtest.h>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::feedFixture;
using test::Fixture;
using test::fragmentSizes;
using test::loadFixture;

// Offset just past the frame that ends the 0-9-1 handshake (the client's Connection.Open),
// found by walking the client stream's frames here, independently of the sniffer.
size_t endOfClientOpen091(const test::Bytes& client) {
  size_t at = 8;  // protocol header
  while (at + 7 <= client.size()) {
    const uint32_t size = (uint32_t{client[at + 3]} << 24) | (uint32_t{client[at + 4]} << 16) |
                          (uint32_t{client[at + 5]} << 8) | client[at + 6];
    const size_t end = at + 7 + size + 1;
    if (client[at] == test::ids::kFrameMethod && size >= 4 && client[at + 7] == 0 &&
        client[at + 8] == test::ids::kConnection && client[at + 9] == 0 &&
        client[at + 10] == test::ids::kOpen) {
      return end;
    }
    at = end;
  }
  return 0;
}

class FixtureTest : public ::testing::TestWithParam<size_t> {};

TEST_P(FixtureTest, Pika091) {
  const Fixture f = loadFixture("pika_091");
  Sniffer s;
  const test::FeedTrace trace = feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  EXPECT_EQ(s.error(), Error::None);
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.protocol, Protocol::Amqp091);
  EXPECT_EQ(i.outcome, Outcome::Opened);
  EXPECT_EQ(i.server_product, "RabbitMQ");
  EXPECT_EQ(i.server_version, "3.10.8");
  EXPECT_EQ(i.cluster_name, "warren-fixture-cluster");
  EXPECT_EQ(i.connection_name, "warren-fixture-pika");
  EXPECT_EQ(i.client_product, "Pika Python Client Library");
  EXPECT_EQ(i.client_version, "1.2.0");
  EXPECT_EQ(i.client_platform, "Python 3.11.2");
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_EQ(i.server_heartbeat, 60);
  EXPECT_EQ(i.server_frame_max, 131072u);
  EXPECT_EQ(i.server_channel_max, 2047);
  EXPECT_TRUE(i.tuned);
  EXPECT_EQ(i.heartbeat, 7);
  EXPECT_EQ(i.frame_max, 131072u);
  EXPECT_EQ(i.channel_max, 2047);
  EXPECT_EQ(i.vhost, "fixture-vhost");
  EXPECT_FALSE(i.sasl);
  EXPECT_EQ(i.server_protocol, Protocol::Unknown);
  EXPECT_EQ(i.outcome, Outcome::Opened);
  // Done exactly at the end of the client's Open; the server's Open-Ok was not needed.
  EXPECT_GE(trace.client_fed, endOfClientOpen091(f.client));
  EXPECT_LT(trace.server_fed, f.server.size());
  EXPECT_EQ(s.bufferedBytes(), 0u);
  EXPECT_EQ(s.bufferCapacity(), 0u);
  EXPECT_LE(trace.max_capacity_seen, Sniffer::kDefaultMaxBuffered);
}

TEST_P(FixtureTest, AmqpTools091) {
  const Fixture f = loadFixture("amqp_tools_091");
  Sniffer s;
  feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.protocol, Protocol::Amqp091);
  EXPECT_EQ(i.outcome, Outcome::Opened);
  EXPECT_EQ(i.server_product, "RabbitMQ");
  EXPECT_EQ(i.server_version, "3.10.8");
  EXPECT_EQ(i.cluster_name, "warren-fixture-cluster");
  EXPECT_EQ(i.connection_name, "");  // librabbitmq does not set one
  EXPECT_EQ(i.client_product, "rabbitmq-c");
  EXPECT_EQ(i.client_version, "0.11.0");
  EXPECT_EQ(i.client_platform, "Linux");
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_EQ(i.server_heartbeat, 60);
  EXPECT_TRUE(i.tuned);
  EXPECT_EQ(i.heartbeat, 0);  // amqp-tools disables heartbeats
  EXPECT_EQ(i.frame_max, 131072u);
  EXPECT_EQ(i.channel_max, 2047);
  EXPECT_EQ(i.vhost, "fixture-vhost");
}

TEST_P(FixtureTest, Proton10WithSasl) {
  const Fixture f = loadFixture("proton_10");
  Sniffer s;
  const test::FeedTrace trace = feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.protocol, Protocol::Amqp10);
  EXPECT_TRUE(i.sasl);
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_EQ(i.sasl_outcome, "ok");
  EXPECT_TRUE(i.client_open_seen);
  EXPECT_TRUE(i.server_open_seen);
  EXPECT_EQ(i.client_idle_timeout_ms, 5000u);   // proton heartbeat=10 s advertises half
  EXPECT_EQ(i.server_idle_timeout_ms, 60000u);  // RabbitMQ 3.10
  EXPECT_EQ(i.hostname, "vhost:fixture-vhost");
  EXPECT_EQ(i.container_id, "42ae19d0-088f-446d-9c4b-589d9a4e08b7");
  EXPECT_EQ(i.outcome, Outcome::Opened);
  // The client's begin/attach/transfer that follow its open were never needed.
  EXPECT_LT(trace.client_fed, f.client.size());
  // 0-9-1-only fields stay empty.
  EXPECT_EQ(i.vhost, "");
  EXPECT_FALSE(i.tuned);
}

TEST_P(FixtureTest, Raw10WithoutSasl) {
  const Fixture f = loadFixture("raw_10_no_sasl");
  Sniffer s;
  feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.protocol, Protocol::Amqp10);
  EXPECT_FALSE(i.sasl);
  EXPECT_EQ(i.mechanism, "");
  EXPECT_EQ(i.sasl_outcome, "");
  EXPECT_EQ(i.client_idle_timeout_ms, 5000u);
  EXPECT_EQ(i.server_idle_timeout_ms, 60000u);
  EXPECT_EQ(i.hostname, "localhost");
  EXPECT_EQ(i.container_id, "raw-probe");
  EXPECT_EQ(i.outcome, Outcome::Opened);
}

TEST_P(FixtureTest, Pika091WrongPassword) {
  const Fixture f = loadFixture("pika_091_bad_password");
  Sniffer s;
  feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.outcome, Outcome::ServerClosed);
  EXPECT_EQ(i.close_code, 403);  // ACCESS_REFUSED
  EXPECT_EQ(i.close_class_id, 0);
  EXPECT_EQ(i.close_method_id, 0);
  EXPECT_EQ(i.connection_name, "warren-fixture-pika");
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_FALSE(i.tuned);
  EXPECT_EQ(i.vhost, "");
}

TEST_P(FixtureTest, Raw091MalformedPlainResponse) {
  // The node closes the socket without a Connection.Close: the sniffer is still waiting.
  const Fixture f = loadFixture("raw_091_bad_plain_response");
  Sniffer s;
  feedFixture(s, f, GetParam());
  EXPECT_EQ(s.status(), Status::InProgress);
  EXPECT_EQ(s.info().client_product, "raw-probe");
  EXPECT_EQ(s.info().mechanism, "PLAIN");
  EXPECT_EQ(s.info().server_product, "RabbitMQ");
  EXPECT_EQ(s.bufferedBytes(), 0u);
}

TEST_P(FixtureTest, Proton10WrongPassword) {
  const Fixture f = loadFixture("proton_10_bad_password");
  Sniffer s;
  feedFixture(s, f, GetParam());
  ASSERT_EQ(s.status(), Status::Done) << toString(s.error());
  EXPECT_EQ(s.info().outcome, Outcome::SaslFailed);
  EXPECT_EQ(s.info().sasl_outcome, "auth");
  EXPECT_EQ(s.info().mechanism, "PLAIN");
  EXPECT_FALSE(s.info().client_open_seen);
}

struct MisdirectedCase {
  const char* fixture;
  Misdirected kind;
  size_t decided_after;  // client bytes needed
};

TEST_P(FixtureTest, MisdirectedClients) {
  const MisdirectedCase cases[] = {{"http_get", Misdirected::Http, 4},
                                   {"tls_client_hello", Misdirected::Tls, 2},
                                   {"amqp_0_10_header", Misdirected::OtherAmqpVersion, 5}};
  for (const MisdirectedCase& c : cases) {
    SCOPED_TRACE(c.fixture);
    const Fixture f = loadFixture(c.fixture);
    Sniffer s;
    const test::FeedTrace trace = feedFixture(s, f, GetParam());
    EXPECT_EQ(s.status(), Status::Error);
    EXPECT_EQ(s.error(), Error::Misdirected);
    EXPECT_EQ(s.misdirected(), c.kind);
    EXPECT_EQ(s.info().protocol, Protocol::NotAmqp);
    EXPECT_EQ(trace.server_fed, 0u);  // RabbitMQ's answer comes after: never read
    if (GetParam() == 1) {
      EXPECT_EQ(trace.client_fed, c.decided_after);
    }
    EXPECT_EQ(s.bufferCapacity(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Fragments, FixtureTest, ::testing::ValuesIn(fragmentSizes()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           return p.param == 0 ? std::string("RealChunks")
                                               : "Bytes" + std::to_string(p.param);
                         });

TEST(FixtureDoneTest, Pika091DoneOnLastByteOfOpen) {
  const Fixture f = loadFixture("pika_091");
  Sniffer s;
  const test::FeedTrace trace = feedFixture(s, f, 1);
  EXPECT_EQ(trace.client_fed, endOfClientOpen091(f.client));
}

TEST(FixtureDoneTest, AfterDoneNothingIsRead) {
  // Feeding on after Done (the rest of both streams, then garbage) changes nothing.
  for (const char* name : {"pika_091", "amqp_tools_091", "proton_10", "raw_10_no_sasl"}) {
    SCOPED_TRACE(name);
    const Fixture f = loadFixture(name);
    Sniffer reference;
    feedFixture(reference, f, 0);
    Sniffer s;
    const test::FeedTrace trace = feedFixture(s, f, 3, /*keep_feeding=*/true);
    EXPECT_GT(trace.calls_after_finish, 0u);
    const test::Bytes garbage = test::bytes("\x01\x02 garbage after the handshake \xff\xce");
    EXPECT_EQ(s.onClientBytes(test::span(garbage)), Status::Done);
    EXPECT_EQ(s.onServerBytes(test::span(garbage)), Status::Done);
    EXPECT_EQ(s.error(), Error::None);
    test::expectSameInfo(s.info(), reference.info());
    EXPECT_EQ(s.bufferCapacity(), 0u);
  }
}

TEST(FixtureDoneTest, WholeClientStreamInOneCallStopsAtOpen) {
  // Server bytes in their real chunks, each client chunk at once; then the whole client
  // stream tail (channel traffic after Open) arrives in the same call as Open.
  const Fixture f = loadFixture("pika_091");
  const size_t open_end = endOfClientOpen091(f.client);
  Sniffer s;
  size_t client_at = 0;
  size_t server_at = 0;
  for (const test::Chunk& c : f.chunks) {
    if (c.from_client) {
      if (client_at + c.length >= open_end) break;
      s.onClientBytes({f.client.data() + client_at, c.length});
      client_at += c.length;
    } else {
      s.onServerBytes({f.server.data() + server_at, c.length});
      server_at += c.length;
    }
  }
  ASSERT_EQ(s.status(), Status::InProgress);
  test::Bytes tail(f.client.begin() + static_cast<ptrdiff_t>(client_at), f.client.end());
  test::appendByte(tail, 0xFF);  // not a frame type: would be BadFrame if it were read
  EXPECT_EQ(s.onClientBytes(test::span(tail)), Status::Done);
  EXPECT_EQ(s.info().vhost, "fixture-vhost");
}

}  // namespace
}  // namespace warren::amqp
