// amqp091::checkStartFrame (the health check's Connection.Start judgment) and the frame
// reading it shares with the sniffer (amqp091_frame.h), fed at every fragment size: the
// bytes arrive in pieces and the check is called with all bytes received so far.
#include "amqp/start_frame_check.h"

#include <gtest/gtest.h>

#include <string>

#include "amqp/amqp091_frame.h"
#include "unit/amqp/test_util.h"

namespace warren::amqp::amqp091 {
namespace {

using amqp::test::Bytes;
namespace t = amqp::test;
namespace ids = amqp::test::ids;
using Kind = StartVerdict::Kind;

// The verdict after every piece when `bytes` arrive `fragment` bytes at a time; checks that
// nothing is decided before `decided_at` bytes and that a decision never changes after.
StartVerdict feedInPieces(const Bytes& bytes, size_t fragment, size_t decided_at) {
  Bytes received;
  StartVerdict first_decision;
  bool decided = false;
  for (size_t at = 0; at < bytes.size(); at += fragment) {
    const size_t n = std::min(fragment, bytes.size() - at);
    received.insert(received.end(), bytes.begin() + static_cast<ptrdiff_t>(at),
                    bytes.begin() + static_cast<ptrdiff_t>(at + n));
    const StartVerdict v = checkStartFrame(t::span(received));
    if (v.kind == Kind::NeedMore) {
      EXPECT_FALSE(decided) << "a decision was taken back at " << received.size() << " bytes";
      EXPECT_LT(received.size(), decided_at) << "fragment " << fragment;
      continue;
    }
    EXPECT_GE(received.size(), decided_at) << "fragment " << fragment;
    if (!decided) first_decision = v;
    EXPECT_EQ(v.kind, first_decision.kind);
    EXPECT_EQ(v.reason, first_decision.reason);
    EXPECT_EQ(v.length, first_decision.length);
    decided = true;
  }
  return first_decision;
}

// Every fragment size from 1 to the whole input.
template <typename Check>
void atEveryFragmentSize(const Bytes& bytes, size_t decided_at, Check check) {
  for (size_t fragment = 1; fragment <= bytes.size(); ++fragment) {
    SCOPED_TRACE("fragment " + std::to_string(fragment));
    check(feedInPieces(bytes, fragment, decided_at));
  }
}

Bytes startFrame() { return t::method091(ids::kConnection, ids::kStart, t::startArgs(t::table({}))); }

TEST(StartFrameCheckTest, RealBrokersGreetingIsOkAtEveryFragmentSize) {
  for (const char* name : {"pika_091", "amqp_tools_091"}) {
    SCOPED_TRACE(name);
    const Bytes server = t::loadFixture(name).server;
    ASSERT_GE(server.size(), 7u);
    // header (7) + size (bytes 3..6, big-endian) + frame-end (1)
    const size_t start_length =
        7 + ((size_t{server[3]} << 24) | (size_t{server[4]} << 16) | (size_t{server[5]} << 8) | server[6]) + 1;
    ASSERT_LE(start_length, server.size());
    atEveryFragmentSize(server, start_length, [&](const StartVerdict& v) {
      EXPECT_EQ(v.kind, Kind::Ok) << v.reason;
      EXPECT_EQ(v.length, start_length);
    });
  }
}

TEST(StartFrameCheckTest, SyntheticStartIsOkAndBytesAfterItDoNotMatter) {
  Bytes bytes = startFrame();
  const size_t length = bytes.size();
  t::append(bytes, t::heartbeat091());
  atEveryFragmentSize(bytes, length, [&](const StartVerdict& v) {
    EXPECT_EQ(v.kind, Kind::Ok);
    EXPECT_EQ(v.length, length);
  });
}

TEST(StartFrameCheckTest, EveryPrefixNeedsMore) {
  const Bytes bytes = startFrame();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(checkStartFrame(std::span(bytes).first(n)).kind, Kind::NeedMore) << n;
  }
}

void expectBadAtEveryFragmentSize(const Bytes& bytes, size_t decided_at, const std::string& reason_part) {
  atEveryFragmentSize(bytes, decided_at, [&](const StartVerdict& v) {
    EXPECT_EQ(v.kind, Kind::Bad);
    EXPECT_NE(v.reason.find(reason_part), std::string::npos) << v.reason;
    EXPECT_EQ(v.length, 0u);
  });
}

TEST(StartFrameCheckTest, AProtocolHeaderBackIsBadFromTheFirstByte) {
  expectBadAtEveryFragmentSize(t::bytes(std::string("AMQP\0\0\x09\x01", 8)), 1, "protocol header");
}

TEST(StartFrameCheckTest, AnotherFrameTypeIsBadFromTheFirstByte) {
  expectBadAtEveryFragmentSize(t::heartbeat091(), 1, "not a method frame (type 8)");
  expectBadAtEveryFragmentSize(t::bytes("HTTP/1.1 400 Bad Request\r\n"), 1, "type 72");
}

TEST(StartFrameCheckTest, AnotherChannelIsBadFromTheHeader) {
  const Bytes bytes = t::method091(ids::kConnection, ids::kStart, t::startArgs(t::table({})), 1);
  expectBadAtEveryFragmentSize(bytes, 7, "channel 1");
}

TEST(StartFrameCheckTest, AnotherMethodIsBadFromItsIds) {
  const Bytes tune = t::method091(ids::kConnection, ids::kTune, t::tuneArgs(2047, 131072, 60));
  expectBadAtEveryFragmentSize(tune, 11, "method 10.30 instead of Connection.Start (10.10)");
}

TEST(StartFrameCheckTest, SizeOutOfBoundsIsBadFromTheHeader) {
  Bytes huge = {ids::kFrameMethod, 0, 0};
  t::putU32(huge, static_cast<uint32_t>(kMaxStartFrame + 1));
  expectBadAtEveryFragmentSize(huge, 7, "frame size 65537");
  Bytes tiny = {ids::kFrameMethod, 0, 0};
  t::putU32(tiny, 3);  // not even the method ids
  t::append(tiny, {0, 10, 0, 0xCE});
  expectBadAtEveryFragmentSize(tiny, 7, "frame size 3");
  // The largest accepted size is accepted.
  Bytes largest = {ids::kFrameMethod, 0, 0};
  t::putU32(largest, static_cast<uint32_t>(kMaxStartFrame));
  EXPECT_EQ(checkStartFrame(t::span(largest)).kind, Kind::NeedMore);
}

TEST(StartFrameCheckTest, WrongFrameEndIsBadOnceTheFrameIsComplete) {
  const Bytes good = startFrame();
  const Bytes bytes = t::frame091(ids::kFrameMethod, 0, Bytes(good.begin() + 7, good.end() - 1), 0x00);
  expectBadAtEveryFragmentSize(bytes, bytes.size(), "frame-end is not 0xCE");
}

TEST(Amqp091FrameTest, ReadsTheHeaderOnceSevenBytesAreThere) {
  const Bytes frame = t::frame091(ids::kFrameHeartbeat, 0x0102, Bytes(0x0304, 0));
  for (size_t n = 0; n < 7; ++n) EXPECT_FALSE(readFrameHeader(std::span(frame).first(n))) << n;
  const auto header = readFrameHeader(std::span(frame).first(7));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->type, ids::kFrameHeartbeat);
  EXPECT_EQ(header->channel, 0x0102);
  EXPECT_EQ(header->size, 0x0304u);
  EXPECT_EQ(header->frameLength(), 7u + 0x0304 + 1);
}

TEST(Amqp091FrameTest, FrameLengthOfTheLargestSizeDoesNotOverflow) {
  const Bytes head = {ids::kFrameBody, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(readFrameHeader(t::span(head))->frameLength(), uint64_t{0xFFFFFFFF} + 8);
}

TEST(Amqp091FrameTest, MethodIdsNeedFourBytes) {
  const Bytes payload = {0, 10, 0, 30, 0xAA};
  for (size_t n = 0; n < 4; ++n) EXPECT_FALSE(readMethodIds(std::span(payload).first(n))) << n;
  const auto method = readMethodIds(t::span(payload));
  ASSERT_TRUE(method);
  EXPECT_EQ(method->class_id, 10);
  EXPECT_EQ(method->method_id, 30);
}

TEST(Amqp091FrameTest, KnownFrameTypes) {
  for (int type = 0; type < 256; ++type) {
    const bool known = type == 1 || type == 2 || type == 3 || type == 8;
    EXPECT_EQ(isKnownFrameType(static_cast<uint8_t>(type)), known) << type;
  }
}

}  // namespace
}  // namespace warren::amqp::amqp091
