// AMQP 0-9-1 handshakes built here frame by frame: the accepted sequence, every field
// table type letter, and each malformed or out-of-place frame with its error.
#include <gtest/gtest.h>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::Bytes;
using test::concat;
using test::Handshake091;
using test::method091;
namespace ids = test::ids;

Status client(Sniffer& s, const Bytes& b) { return s.onClientBytes(test::span(b)); }
Status server(Sniffer& s, const Bytes& b) { return s.onServerBytes(test::span(b)); }

// A sniffer that has seen the client's header and the server's Start.
void startHandshake(Sniffer& s, const Handshake091& h = {}) {
  ASSERT_EQ(client(s, h.header), Status::InProgress);
  ASSERT_EQ(server(s, h.start), Status::InProgress);
}

TEST(Amqp091Test, CompleteHandshake) {
  const Handshake091 h;
  Sniffer s;
  startHandshake(s);
  EXPECT_EQ(client(s, h.start_ok), Status::InProgress);
  EXPECT_EQ(server(s, h.tune), Status::InProgress);
  EXPECT_EQ(client(s, h.tune_ok), Status::InProgress);
  EXPECT_EQ(client(s, h.open), Status::Done);
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.server_product, "TestMQ");
  EXPECT_EQ(i.server_version, "1.2.3");
  EXPECT_EQ(i.cluster_name, "test-cluster");
  EXPECT_EQ(i.connection_name, "conn-1");
  EXPECT_EQ(i.client_product, "test-client");
  EXPECT_EQ(i.client_version, "");
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_EQ(i.server_channel_max, 2047);
  EXPECT_EQ(i.server_frame_max, 131072u);
  EXPECT_EQ(i.server_heartbeat, 60);
  EXPECT_EQ(i.channel_max, 100);
  EXPECT_EQ(i.frame_max, 65536u);
  EXPECT_EQ(i.heartbeat, 15);
  EXPECT_EQ(i.vhost, "/test");
  EXPECT_EQ(i.outcome, Outcome::Opened);
}

TEST(Amqp091Test, WholeConversationInOneSpanPerDirection) {
  // Everything of one direction in one call (pipelined); server first where it must be.
  const Handshake091 h;
  Sniffer s;
  client(s, h.header);
  server(s, concat({h.start, h.tune}));
  EXPECT_EQ(client(s, concat({h.start_ok, h.tune_ok, h.open})), Status::Done);
  EXPECT_EQ(s.info().vhost, "/test");
  EXPECT_EQ(s.bufferCapacity(), 0u);
}

TEST(Amqp091Test, HeartbeatsAnywhereAndSecureRounds) {
  const Handshake091 h;
  Sniffer s;
  client(s, h.header);
  server(s, concat({test::heartbeat091(), h.start, test::heartbeat091()}));
  Bytes challenge;
  test::putLongString(challenge, "challenge-bytes");
  Bytes response;
  test::putLongString(response, "secure-ok-secret");
  client(s, concat({test::heartbeat091(), h.start_ok}));
  server(s, method091(ids::kConnection, ids::kSecure, challenge));
  client(s, method091(ids::kConnection, ids::kSecureOk, response));
  server(s, concat({method091(ids::kConnection, ids::kSecure, challenge), h.tune}));
  client(s, method091(ids::kConnection, ids::kSecureOk, response));
  client(s, concat({test::heartbeat091(), h.tune_ok, test::heartbeat091()}));
  EXPECT_EQ(client(s, h.open), Status::Done) << toString(s.error());
  ASSERT_EQ(s.credentialRanges().ranges().size(), 3u);  // Start-Ok + two Secure-Ok
  EXPECT_EQ(s.credentialRanges().ranges()[1].length, 16u);
}

TEST(Amqp091Test, EveryFieldTypeLetterIsSkippedCorrectly) {
  // One entry of each of RabbitMQ's type letters, then the string we want: if any width
  // were wrong, the walk would misread the rest.
  Bytes entries;
  auto entry = [&](std::string_view name, char type, const Bytes& value) {
    test::putShortString(entries, name);
    test::appendByte(entries, static_cast<uint8_t>(type));
    test::append(entries, value);
  };
  entry("t", 't', {1});
  entry("b", 'b', {0xff});
  entry("B", 'B', {0xfe});
  entry("s", 's', {0x80, 0x00});
  entry("u", 'u', {0xff, 0xff});
  entry("I", 'I', {0x80, 0, 0, 0});
  entry("i", 'i', {0xff, 0xff, 0xff, 0xff});
  entry("l", 'l', {1, 2, 3, 4, 5, 6, 7, 8});
  entry("L", 'L', {8, 7, 6, 5, 4, 3, 2, 1});
  entry("f", 'f', {0x3f, 0x80, 0, 0});
  entry("d", 'd', {0x3f, 0xf0, 0, 0, 0, 0, 0, 0});
  entry("D", 'D', {2, 0, 0, 0x30, 0x39});
  entry("T", 'T', {0, 0, 0, 0, 0x65, 0x00, 0x00, 0x00});
  entry("V", 'V', {});
  Bytes x;
  test::putLongString(x, std::string("\x00\x01\xce", 3));
  entry("x", 'x', x);
  // A nested table holding a decoy connection_name, and an array of mixed values.
  entry("capabilities", 'F', test::table(test::stringEntry("connection_name", "decoy")));
  Bytes array_items = {'S', 0, 0, 0, 2, 'h', 'i', 't', 1, 'V', 'u', 0, 7};
  Bytes array;
  test::putU32(array, static_cast<uint32_t>(array_items.size()));
  test::append(array, array_items);
  entry("A", 'A', array);
  entry("S", 'S', {0, 0, 0, 1, 'z'});
  const Bytes props = test::table(concat({entries, test::stringEntry("connection_name", "real"),
                                          test::stringEntry("connection_name", "second")}));
  Sniffer s;
  startHandshake(s);
  EXPECT_EQ(client(s, method091(ids::kConnection, ids::kStartOk, test::startOkArgs(props, "r"))),
            Status::InProgress)
      << toString(s.error());
  EXPECT_EQ(s.info().connection_name, "real");  // top level only; the first one wins
}

struct TableCase {
  const char* name;
  Bytes entries;
  Error error;
};

TEST(Amqp091Test, MalformedClientPropertiesTable) {
  Bytes deep;  // 20 nested tables
  for (int level = 0; level < 20; ++level) {
    Bytes outer;
    test::putShortString(outer, "n");
    test::appendByte(outer, 'F');
    const Bytes inner = test::table(deep);
    test::append(outer, inner);
    deep = outer;
  }
  const TableCase cases[] = {
      {"unknown type letter 'U'", {1, 'k', 'U', 0, 0}, Error::BadFieldTable},
      {"unknown type letter 'c'", {1, 'k', 'c', 0}, Error::BadFieldTable},
      {"value truncated", {1, 'k', 'I', 0, 0}, Error::BadFieldTable},
      {"long string longer than table", {1, 'k', 'S', 0, 0, 0, 9, 'a'}, Error::BadFieldTable},
      {"name longer than table", {9, 'k'}, Error::BadFieldTable},
      {"type letter missing", {1, 'k'}, Error::BadFieldTable},
      {"nested table truncated", {1, 'k', 'F', 0, 0, 0, 4, 1, 'n', 'S'}, Error::BadFieldTable},
      {"array with unknown letter", {1, 'k', 'A', 0, 0, 0, 1, 'Z'}, Error::BadFieldTable},
      {"nesting too deep", deep, Error::BadFieldTable},
  };
  for (const TableCase& c : cases) {
    SCOPED_TRACE(c.name);
    Sniffer s;
    startHandshake(s);
    EXPECT_EQ(client(s, method091(ids::kConnection, ids::kStartOk,
                                  test::startOkArgs(test::table(c.entries), "r"))),
              Status::Error);
    EXPECT_EQ(s.error(), c.error);
  }
}

TEST(Amqp091Test, MalformedServerPropertiesTable) {
  Sniffer s;
  client(s, test::amqp091Header());
  EXPECT_EQ(server(s, method091(ids::kConnection, ids::kStart,
                                test::startArgs(test::table({1, 'k', 'Q'})))),
            Status::Error);
  EXPECT_EQ(s.error(), Error::BadFieldTable);
}

struct FrameCase {
  const char* name;
  bool from_client;  // else from the server
  Bytes frame;
  Error error;
};

TEST(Amqp091Test, MalformedAndUnexpectedFrames) {
  const Handshake091 h;
  Bytes bad_end = h.start_ok;
  bad_end.back() = 0xCD;
  Bytes start_ok_truncated = h.start_ok;  // cut inside the response, frame length fixed up
  start_ok_truncated.resize(start_ok_truncated.size() - 12);
  start_ok_truncated = test::frame091(
      ids::kFrameMethod, 0, Bytes(start_ok_truncated.begin() + 7, start_ok_truncated.end()));
  const FrameCase cases[] = {
      {"bad frame-end", true, bad_end, Error::BadFrame},
      {"unknown frame type 4", true, test::frame091(4, 0, {}), Error::BadFrame},
      {"unknown frame type 0", true, test::frame091(0, 0, {}), Error::BadFrame},
      {"heartbeat with payload", true, test::frame091(ids::kFrameHeartbeat, 0, {1}),
       Error::BadFrame},
      {"heartbeat on channel 1", false, test::frame091(ids::kFrameHeartbeat, 1, {}),
       Error::BadFrame},
      {"content header frame", true, test::frame091(ids::kFrameHeader, 1, {0, 60, 0, 0}),
       Error::UnexpectedFrame},
      {"content body frame", false, test::frame091(ids::kFrameBody, 1, {1, 2}),
       Error::UnexpectedFrame},
      {"method on channel 1", true, method091(ids::kChannel, ids::kChannelOpen, {0}, /*channel=*/1),
       Error::UnexpectedFrame},
      {"other class on channel 0", true, method091(ids::kChannel, ids::kChannelOpen, {0}),
       Error::UnexpectedFrame},
      {"Tune-Ok before Start-Ok", true, h.tune_ok, Error::UnexpectedFrame},
      {"Open before Start-Ok", true, h.open, Error::UnexpectedFrame},
      {"Start again", false, h.start, Error::UnexpectedFrame},
      {"Open-Ok before Tune", false, method091(ids::kConnection, ids::kOpenOk, {0}),
       Error::UnexpectedFrame},
      {"Close-Ok without Close", true, method091(ids::kConnection, ids::kCloseOk, {}),
       Error::UnexpectedFrame},
      {"server sends a client method", false, h.start_ok, Error::UnexpectedFrame},
      {"method payload too short", true, test::frame091(ids::kFrameMethod, 0, {0, 10, 0}),
       Error::BadMethod},
      {"Start-Ok truncated", true, start_ok_truncated, Error::BadMethod},
      {"Start-Ok without table", true, method091(ids::kConnection, ids::kStartOk, {0, 0}),
       Error::BadMethod},
      {"Tune truncated", false, method091(ids::kConnection, ids::kTune, {0, 1, 0, 0}),
       Error::BadMethod},
      {"Close truncated", false, method091(ids::kConnection, ids::kClose, {1, 0x93, 5, 'A'}),
       Error::BadMethod},
  };
  for (const FrameCase& c : cases) {
    SCOPED_TRACE(c.name);
    for (size_t fragment : {size_t{0}, size_t{1}}) {
      Sniffer s;
      startHandshake(s);
      const Bytes& f = c.frame;
      for (size_t at = 0; at < f.size() && !s.finished();) {
        const size_t n = fragment == 0 ? f.size() : 1;
        const std::span<const uint8_t> piece(f.data() + at, n);
        c.from_client ? s.onClientBytes(piece) : s.onServerBytes(piece);
        at += n;
      }
      EXPECT_EQ(s.status(), Status::Error);
      EXPECT_EQ(s.error(), c.error) << toString(s.error());
      EXPECT_EQ(s.bufferCapacity(), 0u);
    }
  }
}

TEST(Amqp091Test, TuneOkAndOpenTruncated) {
  const Handshake091 h;
  for (const auto& [name, frame] :
       {std::pair{"Tune-Ok", method091(ids::kConnection, ids::kTuneOk, {0, 1, 0, 0, 0})},
        std::pair{"Open", method091(ids::kConnection, ids::kOpen, {3, '/', 'v', 'h'})}}) {
    SCOPED_TRACE(name);
    Sniffer s;
    startHandshake(s);
    client(s, h.start_ok);
    server(s, h.tune);
    if (std::string_view(name) == "Open") client(s, h.tune_ok);
    EXPECT_EQ(client(s, frame), Status::Error);
    EXPECT_EQ(s.error(), Error::BadMethod);
    EXPECT_FALSE(s.done());
  }
}

TEST(Amqp091Test, ServerCloseDuringHandshake) {
  const Handshake091 h;
  Sniffer s;
  startHandshake(s);
  client(s, h.start_ok);
  EXPECT_EQ(
      server(s, method091(ids::kConnection, ids::kClose,
                          test::closeArgs(403, "ACCESS_REFUSED - Login was refused", 10, 11))),
      Status::Done);
  EXPECT_EQ(s.error(), Error::None);
  EXPECT_EQ(s.info().outcome, Outcome::ServerClosed);
  EXPECT_EQ(s.info().close_code, 403);
  EXPECT_EQ(s.info().close_class_id, 10);
  EXPECT_EQ(s.info().close_method_id, 11);
  EXPECT_FALSE(s.info().tuned);
}

TEST(Amqp091Test, ClientCloseDuringHandshake) {
  const Handshake091 h;
  Sniffer s;
  startHandshake(s);
  client(s, h.start_ok);
  server(s, h.tune);
  EXPECT_EQ(client(s, method091(ids::kConnection, ids::kClose, test::closeArgs(200, "bye", 0, 0))),
            Status::Done);
  EXPECT_EQ(s.info().outcome, Outcome::ClientClosed);
  EXPECT_EQ(s.info().close_code, 200);
}

TEST(Amqp091Test, ServerAnswersWithAProtocolHeader) {
  // What RabbitMQ does when it does not support the client's header: its own, then close.
  const std::pair<Bytes, Protocol> answers[] = {
      {test::amqp091Header(), Protocol::Amqp091},
      {test::amqp10SaslHeader(), Protocol::Amqp10},
  };
  for (const auto& [answer, protocol] : answers) {
    for (size_t fragment : {size_t{1}, size_t{8}}) {
      Sniffer s;
      client(s, test::amqp091Header());
      for (size_t at = 0; at < answer.size(); at += fragment) {
        s.onServerBytes({answer.data() + at, fragment});
      }
      EXPECT_EQ(s.status(), Status::Error);
      EXPECT_EQ(s.error(), Error::ProtocolRejected);
      EXPECT_EQ(s.info().server_protocol, protocol);
    }
  }
  Sniffer s;
  client(s, test::amqp091Header());
  EXPECT_EQ(server(s, test::bytes("AMQX1234")), Status::Error);
  EXPECT_EQ(s.error(), Error::BadProtocolHeader);
}

TEST(Amqp091Test, ServerSpeakingFirst) {
  Sniffer s;
  EXPECT_EQ(server(s, test::bytes("220 smtp.example.com ESMTP\r\n")), Status::Error);
  EXPECT_EQ(s.error(), Error::ServerSpokeFirst);
  Sniffer partial;
  client(partial, test::bytes("AMQP"));
  EXPECT_EQ(server(partial, test::heartbeat091()), Status::Error);
  EXPECT_EQ(partial.error(), Error::ServerSpokeFirst);
}

TEST(Amqp091Test, TrailingBytesAfterArgumentsAreIgnored) {
  const Handshake091 h;
  Sniffer s;
  startHandshake(s);
  client(s, h.start_ok);
  server(s, h.tune);
  client(s, h.tune_ok);
  Bytes open_args = test::openArgs("/v");
  test::appendByte(open_args, 0x55);
  EXPECT_EQ(client(s, method091(ids::kConnection, ids::kOpen, open_args)), Status::Done);
  EXPECT_EQ(s.info().vhost, "/v");
}

TEST(Amqp091Test, LongStringsAreCutInInfo) {
  const std::string long_name(1000, 'n');
  Sniffer s;
  startHandshake(s);
  client(s, method091(ids::kConnection, ids::kStartOk,
                      test::startOkArgs(
                          test::table(test::stringEntry("connection_name", long_name)), "r")));
  EXPECT_EQ(s.info().connection_name, std::string(kMaxInfoStringLength, 'n'));
}

}  // namespace
}  // namespace warren::amqp
