// AMQP 1.0 openings built here frame by frame: with and without SASL, the encodings a
// peer may choose (list32, str32, symbolic descriptors, smalluint, extended headers),
// pipelining, and each malformed or out-of-place frame with its error.
#include <gtest/gtest.h>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::Bytes;
using test::concat;
using test::described;
using test::frame10;
using test::list8;
using test::nullValue;
using test::str8;
using test::sym8;
using test::uint32Value;
using test::vbin8;
namespace ids = test::ids;

Status client(Sniffer& s, const Bytes& b) { return s.onClientBytes(test::span(b)); }
Status server(Sniffer& s, const Bytes& b) { return s.onServerBytes(test::span(b)); }

// A sniffer through a successful SASL exchange, both AMQP headers sent.
void throughSasl(Sniffer& s) {
  ASSERT_EQ(client(s, test::amqp10SaslHeader()), Status::InProgress);
  ASSERT_EQ(server(s, concat({test::amqp10SaslHeader(), test::saslMechanisms()})),
            Status::InProgress);
  ASSERT_EQ(
      client(s, concat({test::saslInit(std::string("\0u\0", 3) + "pw"), test::amqp10Header()})),
      Status::InProgress);
  ASSERT_EQ(server(s, concat({test::saslOutcome(0), test::amqp10Header()})), Status::InProgress);
}

TEST(Amqp10Test, SaslThenOpens) {
  Sniffer s;
  throughSasl(s);
  EXPECT_EQ(client(s, test::openFrame("client-1", str8("vhost:/"), uint32Value(30000))),
            Status::InProgress);
  EXPECT_TRUE(s.info().client_open_seen);
  EXPECT_EQ(server(s, test::openFrame("server-1", nullValue(), uint32Value(60000))), Status::Done);
  const HandshakeInfo& i = s.info();
  EXPECT_EQ(i.protocol, Protocol::Amqp10);
  EXPECT_TRUE(i.sasl);
  EXPECT_EQ(i.mechanism, "PLAIN");
  EXPECT_EQ(i.sasl_outcome, "ok");
  EXPECT_EQ(i.client_idle_timeout_ms, 30000u);
  EXPECT_EQ(i.server_idle_timeout_ms, 60000u);
  EXPECT_EQ(i.hostname, "vhost:/");
  EXPECT_EQ(i.container_id, "client-1");  // the client's, not the server's
  EXPECT_EQ(i.outcome, Outcome::Opened);
  ASSERT_EQ(s.credentialRanges().ranges().size(), 1u);
  EXPECT_EQ(s.credentialRanges().ranges()[0].length, 5u);
}

TEST(Amqp10Test, ServerOpensFirstAndClientBytesAfterOpenAreNotRead) {
  Sniffer s;
  throughSasl(s);
  EXPECT_EQ(server(s, test::openFrame("server-1", nullValue(), nullValue())), Status::InProgress);
  // The client's open and, in the same span, a begin and garbage: never read.
  EXPECT_EQ(client(s, concat({test::openFrame("c", nullValue(), nullValue()),
                              frame10(ids::kAmqpFrame, described(ids::kBegin10, list8({}))),
                              test::bytes("\xff\xff\xff\xff garbage")})),
            Status::Done);
  EXPECT_EQ(s.info().client_idle_timeout_ms, 0u);  // null: none
  EXPECT_EQ(s.info().hostname, "");
}

TEST(Amqp10Test, WithoutSasl) {
  Sniffer s;
  client(s, concat({test::amqp10Header(), test::openFrame("c", str8("host"), Bytes{0x43})}));
  EXPECT_EQ(server(s, concat({test::amqp10Header(),
                              test::openFrame("s", nullValue(), Bytes{0x52, 200})})),
            Status::Done);
  EXPECT_FALSE(s.info().sasl);
  EXPECT_EQ(s.info().client_idle_timeout_ms, 0u);    // uint0
  EXPECT_EQ(s.info().server_idle_timeout_ms, 200u);  // smalluint
  EXPECT_EQ(s.info().hostname, "host");
}

TEST(Amqp10Test, OtherEncodingsOfTheSameOpen) {
  // list32, str32, symbolic descriptor, ulong descriptor, extended header (doff 3),
  // heartbeats (empty frames) before it.
  Bytes str32 = {0xb1, 0, 0, 0, 4, 'h', 'o', 's', 't'};
  Bytes symbolic = {0x00, 0xa3, 14};
  for (char c : std::string_view("amqp:open:list"))
    test::appendByte(symbolic, static_cast<uint8_t>(c));
  const Bytes open_list =
      test::list32({str8("c"), str32, nullValue(), Bytes{0x60, 0, 9}, uint32Value(1234),
                    nullValue(), nullValue(), Bytes{0xe0, 7, 1, 0xa3, 4, 'c', 'a', 'p', 's'},
                    nullValue(), Bytes{0xc1, 1, 0}});
  const Bytes ulong_descriptor = {0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x10};
  for (const Bytes& descriptor : {symbolic, ulong_descriptor}) {
    Sniffer s;
    client(s, test::amqp10Header());
    server(s, concat({test::amqp10Header(), test::openFrame("s", nullValue(), nullValue())}));
    const Bytes body = concat({descriptor, open_list});
    EXPECT_EQ(client(s, concat({test::emptyFrame10(), frame10(ids::kAmqpFrame, body, 3)})),
              Status::Done)
        << toString(s.error());
    EXPECT_EQ(s.info().hostname, "host");
    EXPECT_EQ(s.info().client_idle_timeout_ms, 1234u);
  }
}

TEST(Amqp10Test, SaslChallengeAndResponse) {
  Sniffer s;
  client(s, test::amqp10SaslHeader());
  server(s, concat({test::amqp10SaslHeader(), test::saslMechanisms()}));
  // sasl-init without initial-response, then a challenge round.
  client(s, frame10(ids::kSaslFrame, described(ids::kSaslInit, list8({sym8("SCRAM-SHA-1")}))));
  server(s, frame10(ids::kSaslFrame, described(ids::kSaslChallenge, list8({vbin8("nonce")}))));
  client(s, frame10(ids::kSaslFrame, described(ids::kSaslResponse, list8({vbin8("proof!")}))));
  server(s, test::saslOutcome(0));
  EXPECT_EQ(s.status(), Status::InProgress) << toString(s.error());
  EXPECT_EQ(s.info().mechanism, "SCRAM-SHA-1");
  ASSERT_EQ(s.credentialRanges().ranges().size(), 1u);
  EXPECT_EQ(s.credentialRanges().ranges()[0].length, 6u);
}

TEST(Amqp10Test, SaslFailureEndsTheHandshake) {
  for (uint8_t code : {1, 2, 3, 4, 9}) {
    Sniffer s;
    client(s, test::amqp10SaslHeader());
    server(s, concat({test::amqp10SaslHeader(), test::saslMechanisms()}));
    client(s, test::saslInit("x"));
    EXPECT_EQ(server(s, test::saslOutcome(code)), Status::Done);
    EXPECT_EQ(s.info().outcome, Outcome::SaslFailed);
    const char* expected[] = {"ok", "auth", "sys", "sys-perm", "sys-temp"};
    EXPECT_EQ(s.info().sasl_outcome, code < 5 ? expected[code] : "unknown");
  }
}

TEST(Amqp10Test, CloseBeforeOpen) {
  const Bytes error = described(
      ids::kError10, list8({sym8("amqp:unauthorized-access"), str8("free text not kept")}));
  Sniffer s;
  client(s, test::amqp10Header());
  server(s, test::amqp10Header());
  EXPECT_EQ(server(s, frame10(ids::kAmqpFrame, described(ids::kClose10, list8({error})))),
            Status::Done);
  EXPECT_EQ(s.info().outcome, Outcome::ServerClosed);
  EXPECT_EQ(s.info().close_condition, "amqp:unauthorized-access");

  Sniffer c;
  client(c, test::amqp10Header());
  EXPECT_EQ(client(c, frame10(ids::kAmqpFrame, described(ids::kClose10, Bytes{0x45}))),
            Status::Done);
  EXPECT_EQ(c.info().outcome, Outcome::ClientClosed);
  EXPECT_EQ(c.info().close_condition, "");
}

TEST(Amqp10Test, ServerRejectsTheHeader) {
  const std::tuple<Bytes, Bytes, Error, Protocol> cases[] = {
      // RabbitMQ without the 1.0 plugin: its 0-9-1 header.
      {test::amqp10SaslHeader(), test::amqp091Header(), Error::ProtocolRejected, Protocol::Amqp091},
      // A server that insists on SASL.
      {test::amqp10Header(), test::amqp10SaslHeader(), Error::ProtocolRejected, Protocol::Amqp10},
      {test::amqp10SaslHeader(), test::amqp10Header(), Error::ProtocolRejected, Protocol::Amqp10},
      {test::amqp10Header(), test::bytes("HTTP/1.1"), Error::BadProtocolHeader, Protocol::Unknown},
  };
  for (const auto& [client_header, server_header, error, server_protocol] : cases) {
    Sniffer s;
    client(s, client_header);
    EXPECT_EQ(server(s, server_header), Status::Error);
    EXPECT_EQ(s.error(), error);
    EXPECT_EQ(s.info().server_protocol, server_protocol);
    EXPECT_FALSE(s.info().sasl);
  }
}

struct FrameCase {
  const char* name;
  bool from_client;
  Bytes bytes;
  Error error;
};

TEST(Amqp10Test, MalformedAndUnexpectedFrames) {
  auto open_with = [](const std::vector<Bytes>& fields) {
    return frame10(ids::kAmqpFrame, described(ids::kOpen10, list8(fields)));
  };
  Bytes size_under_8 = {0, 0, 0, 7, 2, 0, 0, 0};
  Bytes doff_1 = {0, 0, 0, 8, 1, 0, 0, 0};
  Bytes doff_past_size = {0, 0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 0};
  Bytes type_2 = {0, 0, 0, 8, 2, 2, 0, 0};
  Bytes list_count_too_big = frame10(ids::kAmqpFrame, {0x00, 0x53, 0x10, 0xc0, 3, 2, 0xa1, 0});
  Bytes list_count_too_small =
      frame10(ids::kAmqpFrame, {0x00, 0x53, 0x10, 0xc0, 5, 1, 0xa1, 1, 'c', 0x40});
  Bytes trailing = concat({described(ids::kOpen10, list8({str8("c")})), Bytes{0x40}});
  Bytes unknown_constructor = frame10(ids::kAmqpFrame, {0x00, 0x53, 0x10, 0xc0, 3, 1, 0x57, 0});
  Bytes not_described = frame10(ids::kAmqpFrame, list8({str8("c")}));
  Bytes described_not_list = frame10(ids::kAmqpFrame, described(ids::kOpen10, str8("c")));
  Bytes bad_descriptor_type = frame10(ids::kAmqpFrame, {0x00, 0xa1, 1, 'x', 0x45});
  Bytes unknown_symbolic = frame10(ids::kAmqpFrame, {0x00, 0xa3, 3, 'f', 'o', 'o', 0x45});
  const FrameCase cases[] = {
      {"size under 8", true, size_under_8, Error::BadFrame},
      {"doff 1", true, doff_1, Error::BadFrame},
      {"doff past size", true, doff_past_size, Error::BadFrame},
      {"frame type 2", true, type_2, Error::BadFrame},
      {"list count too big", true, list_count_too_big, Error::BadPerformative},
      {"list count too small", true, list_count_too_small, Error::BadPerformative},
      {"bytes after the performative", true, frame10(ids::kAmqpFrame, trailing),
       Error::BadPerformative},
      {"unknown constructor 0x57", true, unknown_constructor, Error::BadPerformative},
      {"body not described", true, not_described, Error::BadPerformative},
      {"described but not a list", true, described_not_list, Error::BadPerformative},
      {"string descriptor", true, bad_descriptor_type, Error::BadPerformative},
      {"unknown symbolic descriptor", true, unknown_symbolic, Error::UnexpectedFrame},
      {"open without container-id", true, open_with({}), Error::BadPerformative},
      {"container-id null", true, open_with({nullValue()}), Error::BadPerformative},
      {"hostname not a string", true, open_with({str8("c"), sym8("h")}), Error::BadPerformative},
      {"idle-time-out a string", true,
       open_with({str8("c"), nullValue(), nullValue(), nullValue(), str8("5")}),
       Error::BadPerformative},
      {"channel-max a uint", true, open_with({str8("c"), nullValue(), nullValue(), uint32Value(5)}),
       Error::BadPerformative},
      {"begin before open", true, frame10(ids::kAmqpFrame, described(ids::kBegin10, list8({}))),
       Error::UnexpectedFrame},
      {"SASL frame after the AMQP header", false, test::saslMechanisms(), Error::UnexpectedFrame},
      {"string truncated", true, frame10(ids::kAmqpFrame, {0x00, 0x53, 0x10, 0xc0, 3, 1, 0xa1, 9}),
       Error::BadPerformative},
  };
  for (const FrameCase& c : cases) {
    SCOPED_TRACE(c.name);
    for (size_t fragment : {size_t{0}, size_t{1}}) {
      Sniffer s;
      client(s, test::amqp10Header());
      server(s, test::amqp10Header());
      for (size_t at = 0; at < c.bytes.size() && !s.finished();) {
        const size_t n = fragment == 0 ? c.bytes.size() : 1;
        const std::span<const uint8_t> piece(c.bytes.data() + at, n);
        c.from_client ? s.onClientBytes(piece) : s.onServerBytes(piece);
        at += n;
      }
      EXPECT_EQ(s.status(), Status::Error);
      EXPECT_EQ(s.error(), c.error) << toString(s.error());
      EXPECT_EQ(s.bufferCapacity(), 0u);
    }
  }
}

TEST(Amqp10Test, SaslOrderErrors) {
  struct Case {
    const char* name;
    Bytes client_bytes;
    Bytes server_bytes;
    Error error;
  };
  const Bytes sasl = test::amqp10SaslHeader();
  const Bytes init = test::saslInit("x");
  const Case cases[] = {
      {"AMQP frame in the SASL layer",
       concat({sasl, test::openFrame("c", nullValue(), nullValue())}),
       {},
       Error::UnexpectedFrame},
      {"AMQP header before sasl-init",
       concat({sasl, test::amqp10Header()}),
       {},
       Error::UnexpectedFrame},
      {"second sasl-init", concat({sasl, init, init}), {}, Error::UnexpectedFrame},
      {"sasl-response before init",
       concat({sasl, frame10(ids::kSaslFrame, described(ids::kSaslResponse, list8({vbin8("r")})))}),
       {},
       Error::UnexpectedFrame},
      {"client header after SASL not 1.0",
       concat({sasl, init, test::amqp091Header()}),
       {},
       Error::BadProtocolHeader},
      {"sasl-init mechanism not a symbol",
       concat({sasl, frame10(ids::kSaslFrame, described(ids::kSaslInit, list8({str8("PLAIN")})))}),
       {},
       Error::BadPerformative},
      {"outcome before mechanisms", sasl, concat({sasl, test::saslOutcome(0)}),
       Error::UnexpectedFrame},
      {"outcome code not a ubyte", sasl,
       concat({sasl, test::saslMechanisms(),
               frame10(ids::kSaslFrame, described(ids::kSaslOutcome, list8({uint32Value(0)})))}),
       Error::BadPerformative},
      {"server header after outcome not 1.0", sasl,
       concat({sasl, test::saslMechanisms(), test::saslOutcome(0), test::amqp10SaslHeader()}),
       Error::BadProtocolHeader},
      {"open in the SASL layer", sasl,
       concat({sasl, test::saslMechanisms(), test::openFrame("s", nullValue(), nullValue())}),
       Error::UnexpectedFrame},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Sniffer s;
    client(s, c.client_bytes);
    if (!c.server_bytes.empty()) server(s, c.server_bytes);
    EXPECT_EQ(s.status(), Status::Error);
    EXPECT_EQ(s.error(), c.error) << toString(s.error());
  }
}

TEST(Amqp10Test, NestedDescribedValuesAreBounded) {
  // A descriptor that is itself described is rejected; deep described values in a field
  // are decoded up to the nesting bound.
  Bytes nested_descriptor = {0x00, 0x00, 0x53, 0x01, 0x53, 0x10, 0x45};
  Sniffer s;
  client(s, test::amqp10Header());
  EXPECT_EQ(client(s, frame10(ids::kAmqpFrame, nested_descriptor)), Status::Error);
  EXPECT_EQ(s.error(), Error::BadPerformative);

  Bytes deep = {0x40};
  for (int level = 0; level < 10; ++level) deep = described(0x77, deep);
  Sniffer d;
  client(d, test::amqp10Header());
  EXPECT_EQ(client(d, frame10(ids::kAmqpFrame, described(ids::kOpen10, list8({str8("c"), deep})))),
            Status::Error);
  EXPECT_EQ(d.error(), Error::BadPerformative);
}

}  // namespace
}  // namespace warren::amqp
