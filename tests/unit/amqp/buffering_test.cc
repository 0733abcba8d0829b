// Buffering: whole frames are parsed in place (nothing buffered); only a frame cut by the
// end of a span is kept, never more than the bound, which is decided from a frame's header
// (FrameTooLarge) before its payload arrives.
#include <gtest/gtest.h>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::Bytes;
using test::concat;
using test::Handshake091;
namespace ids = test::ids;

TEST(BufferingTest, WholeFramesAreNotCopied) {
  const Handshake091 h;
  Sniffer s;
  for (const auto& [from_client, bytes] : {std::pair{true, h.header},
                                           {false, h.start},
                                           {true, h.start_ok},
                                           {false, h.tune},
                                           {true, h.tune_ok}}) {
    from_client ? s.onClientBytes(test::span(bytes)) : s.onServerBytes(test::span(bytes));
    EXPECT_EQ(s.bufferedBytes(), 0u);
    EXPECT_EQ(s.bufferCapacity(), 0u);
  }
}

TEST(BufferingTest, ACutFrameIsBufferedUpToItsLength) {
  const Handshake091 h;
  Sniffer s;
  s.onClientBytes(test::span(h.header));
  // Start cut after 3 bytes (its size not yet known), then after 100.
  s.onServerBytes({h.start.data(), 3});
  EXPECT_EQ(s.bufferedBytes(), 3u);
  EXPECT_LE(s.bufferCapacity(), 7u);
  s.onServerBytes({h.start.data() + 3, 97});
  EXPECT_EQ(s.bufferedBytes(), 100u);
  EXPECT_EQ(s.bufferCapacity(), h.start.size());  // reserved exactly once known
  s.onServerBytes({h.start.data() + 100, h.start.size() - 100});
  EXPECT_EQ(s.bufferedBytes(), 0u);
  EXPECT_EQ(s.info().server_product, "TestMQ");
}

TEST(BufferingTest, TooLargeDecidedFromTheHeader091) {
  Sniffer s;  // 64 KiB
  s.onClientBytes(test::span(test::amqp091Header()));
  Bytes header = {ids::kFrameMethod, 0, 0};
  test::putU32(header, 1 << 20);  // 1 MiB payload announced
  for (size_t i = 0; i + 1 < header.size(); ++i) {
    EXPECT_EQ(s.onServerBytes({header.data() + i, 1}), Status::InProgress);
  }
  EXPECT_EQ(s.onServerBytes({header.data() + header.size() - 1, 1}), Status::Error);
  EXPECT_EQ(s.error(), Error::FrameTooLarge);
  EXPECT_EQ(s.bufferCapacity(), 0u);
}

TEST(BufferingTest, BoundIsInclusive091) {
  const Handshake091 h;
  for (const size_t bound : {h.start.size(), h.start.size() - 1}) {
    Sniffer s(bound);
    s.onClientBytes(test::span(h.header));
    for (size_t i = 0; i < h.start.size(); ++i) s.onServerBytes({h.start.data() + i, 1});
    if (bound == h.start.size()) {
      EXPECT_EQ(s.status(), Status::InProgress);
      EXPECT_EQ(s.info().server_product, "TestMQ");
    } else {
      EXPECT_EQ(s.error(), Error::FrameTooLarge);
    }
  }
}

TEST(BufferingTest, TooLargeEvenWhenWhollyInTheSpan) {
  // The bound applies to every frame, cut or not, so results do not depend on the split.
  const Handshake091 h;
  Sniffer s(h.start.size() - 1);
  s.onClientBytes(test::span(h.header));
  EXPECT_EQ(s.onServerBytes(test::span(h.start)), Status::Error);
  EXPECT_EQ(s.error(), Error::FrameTooLarge);
}

TEST(BufferingTest, TooLargeDecidedFromTheHeader10) {
  Sniffer s(4096);
  s.onClientBytes(test::span(test::amqp10Header()));
  Bytes header;
  test::putU32(header, 4097);
  test::append(header, {2, 0, 0, 0});
  EXPECT_EQ(s.onClientBytes(test::span(header)), Status::Error);
  EXPECT_EQ(s.error(), Error::FrameTooLarge);
}

TEST(BufferingTest, EachDirectionHasItsOwnBound) {
  const Handshake091 h;
  const size_t bound = std::max(h.start.size(), h.start_ok.size());
  Sniffer s(bound);
  s.onClientBytes(test::span(h.header));
  s.onServerBytes({h.start.data(), h.start.size() - 1});
  EXPECT_EQ(s.bufferedBytes(), h.start.size() - 1);
  s.onServerBytes({h.start.data() + h.start.size() - 1, 1});
  s.onServerBytes({h.tune.data(), h.tune.size() - 1});
  s.onClientBytes({h.start_ok.data(), h.start_ok.size() - 1});
  EXPECT_EQ(s.bufferedBytes(), h.tune.size() - 1 + h.start_ok.size() - 1);
  EXPECT_LE(s.bufferCapacity(), 2 * bound);
  EXPECT_EQ(s.status(), Status::InProgress);
}

TEST(BufferingTest, ABoundBelowAHeaderIsRaisedToIt) {
  Sniffer s(0);
  const Bytes header = test::amqp091Header();
  for (size_t i = 0; i < header.size(); ++i) {
    EXPECT_EQ(s.onClientBytes({header.data() + i, 1}), Status::InProgress);
    EXPECT_LE(s.bufferedBytes(), kProtocolHeaderSize);
  }
  EXPECT_EQ(s.info().protocol, Protocol::Amqp091);
  EXPECT_EQ(s.onServerBytes(test::span(test::heartbeat091())), Status::InProgress);  // 8 bytes
  EXPECT_EQ(s.onServerBytes(test::span(Handshake091().start)), Status::Error);
  EXPECT_EQ(s.error(), Error::FrameTooLarge);
}

TEST(BufferingTest, ReleaseBuffersWhileInProgress) {
  const Handshake091 h;
  Sniffer s;
  s.onClientBytes(test::span(h.header));
  s.onServerBytes({h.start.data(), 50});
  EXPECT_GT(s.bufferCapacity(), 0u);
  s.releaseBuffers();
  EXPECT_EQ(s.bufferCapacity(), 0u);
  EXPECT_EQ(s.bufferedBytes(), 0u);
}

TEST(BufferingTest, BuffersAreFreedWhenTheSnifferEnds) {
  const Handshake091 h;
  Sniffer s;
  s.onClientBytes(test::span(h.header));
  s.onServerBytes(test::span(h.start));
  s.onClientBytes({h.start_ok.data(), 20});  // a cut frame in the client buffer
  EXPECT_GT(s.bufferCapacity(), 0u);
  Bytes bad = h.tune;
  bad.back() = 0;
  EXPECT_EQ(s.onServerBytes(test::span(bad)), Status::Error);
  EXPECT_EQ(s.bufferCapacity(), 0u);  // the client's partial frame is gone too
}

TEST(BufferingTest, FrameSplitterAlone) {
  // The splitter hands whole units over in place and copies only cut ones.
  struct FixedUnits : UnitHandler {
    size_t length;
    std::vector<Bytes> units;
    std::vector<uint64_t> offsets;
    std::vector<bool> in_place;
    const uint8_t* data_begin = nullptr;
    const uint8_t* data_end = nullptr;
    explicit FixedUnits(size_t n) : length(n) {}
    Measure measure(std::span<const uint8_t>) override { return Measure::unit(length); }
    bool onUnit(std::span<const uint8_t> unit, uint64_t offset) override {
      units.emplace_back(unit.begin(), unit.end());
      offsets.push_back(offset);
      in_place.push_back(unit.data() >= data_begin && unit.data() < data_end);
      return true;
    }
  };
  FixedUnits handler(4);
  FrameSplitter splitter;
  const Bytes data = test::bytes("aaaabbbbccccdd");
  handler.data_begin = data.data();
  handler.data_end = data.data() + data.size();
  EXPECT_TRUE(splitter.feed(test::span(data), handler));
  EXPECT_EQ(handler.units.size(), 3u);
  EXPECT_EQ(handler.in_place, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(splitter.buffered(), 2u);
  const Bytes more = test::bytes("ddee");
  handler.data_begin = more.data();
  handler.data_end = more.data() + more.size();
  EXPECT_TRUE(splitter.feed(test::span(more), handler));
  ASSERT_EQ(handler.units.size(), 4u);
  EXPECT_EQ(handler.units[3], test::bytes("dddd"));
  EXPECT_FALSE(handler.in_place[3]);
  EXPECT_EQ(handler.offsets, (std::vector<uint64_t>{0, 4, 8, 12}));
  EXPECT_EQ(splitter.buffered(), 2u);
}

TEST(BufferingTest, FrameSplitterStopsOnABrokenHandler) {
  struct Broken : UnitHandler {
    Measure measure(std::span<const uint8_t> head) override {
      return Measure::needMore(head.size());  // asks for nothing more: a contract breach
    }
    bool onUnit(std::span<const uint8_t>, uint64_t) override { return true; }
  } handler;
  FrameSplitter splitter;
  EXPECT_FALSE(splitter.feed(test::span(test::bytes("abc")), handler));
  EXPECT_EQ(splitter.buffered(), 0u);
}

}  // namespace
}  // namespace warren::amqp
