// Helpers shared by the amqp unit tests: fixture files, feeding a sniffer in the real
// client/server order at any fragment size, and builders for synthetic frames.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/sniffer.h"

namespace warren::amqp {

// gtest printers (found by ADL) so that failures are readable.
inline void PrintTo(Status s, std::ostream* os) { *os << toString(s); }
inline void PrintTo(Error e, std::ostream* os) { *os << toString(e); }
inline void PrintTo(Misdirected m, std::ostream* os) { *os << toString(m); }
inline void PrintTo(Protocol p, std::ostream* os) { *os << toString(p); }
inline void PrintTo(Outcome o, std::ostream* os) { *os << toString(o); }

namespace test {

using Bytes = std::vector<uint8_t>;

// The throw-away credentials the fixtures were captured with (tests/fixtures/amqp/README.md).
inline constexpr std::string_view kFixtureUser = "fixture-user";
inline constexpr std::string_view kFixturePassword = "s3cret-fixture-pw";
inline constexpr std::string_view kFixtureWrongPassword = "wrong-fixture-pw";

inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Appending through one out-of-line function: GCC 12 reports false -Warray-bounds /
// -Wstringop-overflow / -Wstringop-overread on vector::insert, push_back and memcpy once
// they are inlined into the builders below (at -O2 and -O3, differently).
[[gnu::noinline]] inline void append(Bytes& b, const void* data, size_t n) {
  if (n == 0) return;
  const size_t at = b.size();
  b.resize(at + n);
  std::memcpy(b.data() + at, data, n);
}
inline void append(Bytes& b, const Bytes& more) { append(b, more.data(), more.size()); }
inline void append(Bytes& b, std::string_view more) { append(b, more.data(), more.size()); }
inline void append(Bytes& b, std::initializer_list<uint8_t> more) {
  append(b, more.begin(), more.size());
}
inline void appendByte(Bytes& b, uint8_t v) { append(b, &v, 1); }

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

inline std::span<const uint8_t> span(const Bytes& b) { return {b.data(), b.size()}; }

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline bool contains(const Bytes& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// ---------------------------------------------------------------------------- fixtures

struct Chunk {
  bool from_client = true;
  size_t length = 0;
};

struct Fixture {
  std::string name;
  Bytes client;
  Bytes server;
  std::vector<Chunk> chunks;  // the real order the relay saw
};

inline std::string fixturePath(const std::string& file) {
  return std::string(WARREN_SOURCE_DIR) + "/tests/fixtures/amqp/" + file;
}

inline Bytes readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Fixture loadFixture(const std::string& name) {
  Fixture f;
  f.name = name;
  f.client = readFile(fixturePath(name + ".client.bin"));
  f.server = readFile(fixturePath(name + ".server.bin"));
  std::ifstream in(fixturePath(name + ".chunks"));
  EXPECT_TRUE(in.good()) << "cannot read chunks of " << name;
  std::string direction;
  size_t length = 0;
  size_t client_total = 0;
  size_t server_total = 0;
  while (in >> direction >> length) {
    f.chunks.push_back({direction == "c", length});
    (direction == "c" ? client_total : server_total) += length;
  }
  EXPECT_EQ(client_total, f.client.size()) << name;
  EXPECT_EQ(server_total, f.server.size()) << name;
  return f;
}

// Fragment sizes every fixture is fed at; 0 = each real chunk whole.
inline const std::vector<size_t>& fragmentSizes() {
  static const std::vector<size_t> sizes = {0, 1000, 100, 10, 5, 2, 1};
  return sizes;
}

// What happened while feeding.
struct FeedTrace {
  size_t client_fed = 0;  // bytes passed to onClientBytes before the sniffer finished
  size_t server_fed = 0;
  size_t max_buffered_seen = 0;
  size_t max_capacity_seen = 0;
  size_t calls_after_finish = 0;
};

// Feeds the fixture in its real order, each real chunk cut into pieces of `fragment`
// bytes (0: whole). Stops at the first call after which the sniffer is finished unless
// `keep_feeding`, in which case the rest is fed too (and must change nothing).
inline FeedTrace feedFixture(Sniffer& sniffer, const Fixture& f, size_t fragment,
                             bool keep_feeding = false) {
  FeedTrace trace;
  size_t client_at = 0;
  size_t server_at = 0;
  for (const Chunk& chunk : f.chunks) {
    const Bytes& stream = chunk.from_client ? f.client : f.server;
    size_t& at = chunk.from_client ? client_at : server_at;
    const size_t end = at + chunk.length;
    while (at < end) {
      const size_t n = fragment == 0 ? end - at : std::min(fragment, end - at);
      const std::span<const uint8_t> piece(stream.data() + at, n);
      if (sniffer.finished()) {
        if (!keep_feeding) return trace;
        ++trace.calls_after_finish;
      } else {
        (chunk.from_client ? trace.client_fed : trace.server_fed) += n;
      }
      if (chunk.from_client) {
        sniffer.onClientBytes(piece);
      } else {
        sniffer.onServerBytes(piece);
      }
      trace.max_buffered_seen = std::max(trace.max_buffered_seen, sniffer.bufferedBytes());
      trace.max_capacity_seen = std::max(trace.max_capacity_seen, sniffer.bufferCapacity());
      at += n;
    }
  }
  return trace;
}

// Every string in HandshakeInfo (for leak scans).
inline std::vector<std::string> infoStrings(const HandshakeInfo& i) {
  return {i.server_product, i.server_version, i.cluster_name,    i.connection_name,
          i.client_product, i.client_version, i.client_platform, i.mechanism,
          i.vhost,          i.sasl_outcome,   i.hostname,        i.container_id,
          i.close_condition};
}

// Field-by-field equality, for "same result" checks.
inline void expectSameInfo(const HandshakeInfo& a, const HandshakeInfo& b) {
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.sasl, b.sasl);
  EXPECT_EQ(a.server_protocol, b.server_protocol);
  EXPECT_EQ(infoStrings(a), infoStrings(b));
  EXPECT_EQ(a.server_heartbeat, b.server_heartbeat);
  EXPECT_EQ(a.server_frame_max, b.server_frame_max);
  EXPECT_EQ(a.server_channel_max, b.server_channel_max);
  EXPECT_EQ(a.heartbeat, b.heartbeat);
  EXPECT_EQ(a.frame_max, b.frame_max);
  EXPECT_EQ(a.channel_max, b.channel_max);
  EXPECT_EQ(a.tuned, b.tuned);
  EXPECT_EQ(a.client_idle_timeout_ms, b.client_idle_timeout_ms);
  EXPECT_EQ(a.server_idle_timeout_ms, b.server_idle_timeout_ms);
  EXPECT_EQ(a.client_open_seen, b.client_open_seen);
  EXPECT_EQ(a.server_open_seen, b.server_open_seen);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.close_code, b.close_code);
  EXPECT_EQ(a.close_class_id, b.close_class_id);
  EXPECT_EQ(a.close_method_id, b.close_method_id);
}

// ---------------------------------------------------------------------------- 0-9-1 builders

// 0-9-1 ids, spelled out here from amqp0-9-1.xml independently of the module's constants.
namespace ids {
inline constexpr uint8_t kFrameMethod = 1;
inline constexpr uint8_t kFrameHeader = 2;
inline constexpr uint8_t kFrameBody = 3;
inline constexpr uint8_t kFrameHeartbeat = 8;
inline constexpr uint16_t kConnection = 10;
inline constexpr uint16_t kChannel = 20;
inline constexpr uint16_t kStart = 10;
inline constexpr uint16_t kStartOk = 11;
inline constexpr uint16_t kSecure = 20;
inline constexpr uint16_t kSecureOk = 21;
inline constexpr uint16_t kTune = 30;
inline constexpr uint16_t kTuneOk = 31;
inline constexpr uint16_t kOpen = 40;
inline constexpr uint16_t kOpenOk = 41;
inline constexpr uint16_t kClose = 50;
inline constexpr uint16_t kCloseOk = 51;
inline constexpr uint16_t kChannelOpen = 10;
// 1.0 descriptors and frame types.
inline constexpr uint8_t kAmqpFrame = 0;
inline constexpr uint8_t kSaslFrame = 1;
inline constexpr uint8_t kOpen10 = 0x10;
inline constexpr uint8_t kBegin10 = 0x11;
inline constexpr uint8_t kClose10 = 0x18;
inline constexpr uint8_t kError10 = 0x1d;
inline constexpr uint8_t kSaslMechanisms = 0x40;
inline constexpr uint8_t kSaslInit = 0x41;
inline constexpr uint8_t kSaslChallenge = 0x42;
inline constexpr uint8_t kSaslResponse = 0x43;
inline constexpr uint8_t kSaslOutcome = 0x44;
}  // namespace ids

inline void putU16(Bytes& b, uint16_t v) {
  const uint8_t be[] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  append(b, be, sizeof(be));
}

inline void putU32(Bytes& b, uint32_t v) {
  const uint8_t be[] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                        static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  append(b, be, sizeof(be));
}

inline void putShortString(Bytes& b, std::string_view s) {
  appendByte(b, static_cast<uint8_t>(s.size()));
  append(b, s);
}

inline void putLongString(Bytes& b, std::string_view s) {
  putU32(b, static_cast<uint32_t>(s.size()));
  append(b, s);
}

// A table: length, then the given raw entries.
inline Bytes table(const Bytes& entries) {
  Bytes b;
  putU32(b, static_cast<uint32_t>(entries.size()));
  append(b, entries);
  return b;
}

// One "name S value" entry.
inline Bytes stringEntry(std::string_view name, std::string_view value) {
  Bytes b;
  putShortString(b, name);
  appendByte(b, 'S');
  putLongString(b, value);
  return b;
}

inline Bytes frame091(uint8_t type, uint16_t channel, const Bytes& payload,
                      uint8_t frame_end = 0xCE) {
  Bytes b{type};
  putU16(b, channel);
  putU32(b, static_cast<uint32_t>(payload.size()));
  append(b, payload);
  appendByte(b, frame_end);
  return b;
}

inline Bytes method091(uint16_t class_id, uint16_t method_id, const Bytes& args,
                       uint16_t channel = 0) {
  Bytes payload;
  putU16(payload, class_id);
  putU16(payload, method_id);
  append(payload, args);
  return frame091(ids::kFrameMethod, channel, payload);
}

inline Bytes heartbeat091() { return frame091(ids::kFrameHeartbeat, 0, {}); }

inline Bytes startArgs(const Bytes& properties_table) {
  Bytes a{0, 9};
  append(a, properties_table);
  putLongString(a, "PLAIN AMQPLAIN");
  putLongString(a, "en_US");
  return a;
}

inline Bytes startOkArgs(const Bytes& properties_table, std::string_view response) {
  Bytes a = properties_table;
  putShortString(a, "PLAIN");
  putLongString(a, response);
  putShortString(a, "en_US");
  return a;
}

inline Bytes tuneArgs(uint16_t channel_max, uint32_t frame_max, uint16_t heartbeat) {
  Bytes a;
  putU16(a, channel_max);
  putU32(a, frame_max);
  putU16(a, heartbeat);
  return a;
}

inline Bytes openArgs(std::string_view vhost) {
  Bytes a;
  putShortString(a, vhost);
  putShortString(a, "");
  appendByte(a, 0);
  return a;
}

inline Bytes closeArgs(uint16_t code, std::string_view text, uint16_t class_id,
                       uint16_t method_id) {
  Bytes a;
  putU16(a, code);
  putShortString(a, text);
  putU16(a, class_id);
  putU16(a, method_id);
  return a;
}

inline Bytes amqp091Header() { return Bytes(kAmqp091Header.begin(), kAmqp091Header.end()); }

// A small valid 0-9-1 handshake: the server's Start and Tune, the client's header,
// Start-Ok, Tune-Ok and Open.
struct Handshake091 {
  Bytes header = amqp091Header();
  Bytes start = method091(
      ids::kConnection, ids::kStart,
      startArgs(table(concat({stringEntry("product", "TestMQ"), stringEntry("version", "1.2.3"),
                              stringEntry("cluster_name", "test-cluster")}))));
  Bytes start_ok =
      method091(ids::kConnection, ids::kStartOk,
                startOkArgs(table(concat({stringEntry("connection_name", "conn-1"),
                                          stringEntry("product", "test-client")})),
                            std::string("\0user\0", 6) + std::string(kFixturePassword)));
  Bytes tune = method091(ids::kConnection, ids::kTune, tuneArgs(2047, 131072, 60));
  Bytes tune_ok = method091(ids::kConnection, ids::kTuneOk, tuneArgs(100, 65536, 15));
  Bytes open = method091(ids::kConnection, ids::kOpen, openArgs("/test"));
};

// ---------------------------------------------------------------------------- 1.0 builders

inline Bytes frame10(uint8_t type, const Bytes& body, uint8_t doff = 2, uint16_t channel = 0) {
  Bytes b;
  const size_t extended = doff >= 2 ? (size_t{doff} - 2) * 4 : 0;
  putU32(b, static_cast<uint32_t>(8 + extended + body.size()));
  appendByte(b, doff);
  appendByte(b, type);
  putU16(b, channel);
  b.resize(b.size() + extended);  // zeros
  append(b, body);
  return b;
}

inline Bytes str8(std::string_view s) {
  Bytes b{0xa1, static_cast<uint8_t>(s.size())};
  append(b, s);
  return b;
}

inline Bytes sym8(std::string_view s) {
  Bytes b{0xa3, static_cast<uint8_t>(s.size())};
  append(b, s);
  return b;
}

inline Bytes vbin8(std::string_view s) {
  Bytes b{0xa0, static_cast<uint8_t>(s.size())};
  append(b, s);
  return b;
}

inline Bytes uint32Value(uint32_t v) {
  Bytes b{0x70};
  putU32(b, v);
  return b;
}

inline Bytes nullValue() { return {0x40}; }

// list8 of the given encoded items.
inline Bytes list8(const std::vector<Bytes>& items) {
  Bytes content;
  for (const Bytes& i : items) append(content, i);
  Bytes b{0xc0, static_cast<uint8_t>(content.size() + 1), static_cast<uint8_t>(items.size())};
  append(b, content);
  return b;
}

// list32 of the given encoded items.
inline Bytes list32(const std::vector<Bytes>& items) {
  Bytes content;
  for (const Bytes& i : items) append(content, i);
  Bytes b{0xd0};
  putU32(b, static_cast<uint32_t>(content.size() + 4));
  putU32(b, static_cast<uint32_t>(items.size()));
  append(b, content);
  return b;
}

// A described value with a smallulong descriptor.
inline Bytes described(uint8_t code, const Bytes& value) {
  Bytes b{0x00, 0x53, code};
  append(b, value);
  return b;
}

inline Bytes amqp10Header() { return Bytes(kAmqp10Header.begin(), kAmqp10Header.end()); }
inline Bytes amqp10SaslHeader() {
  return Bytes(kAmqp10SaslHeader.begin(), kAmqp10SaslHeader.end());
}

inline Bytes openFrame(std::string_view container, const Bytes& hostname, const Bytes& idle) {
  return frame10(
      ids::kAmqpFrame,
      described(ids::kOpen10, list8({str8(container), hostname, nullValue(), nullValue(), idle})));
}

inline Bytes saslMechanisms() {
  return frame10(ids::kSaslFrame, described(ids::kSaslMechanisms, list8({sym8("PLAIN")})));
}
inline Bytes saslInit(std::string_view response) {
  return frame10(ids::kSaslFrame,
                 described(ids::kSaslInit, list8({sym8("PLAIN"), vbin8(response)})));
}
inline Bytes saslOutcome(uint8_t code) {
  return frame10(ids::kSaslFrame, described(ids::kSaslOutcome, list8({Bytes{0x50, code}})));
}
inline Bytes emptyFrame10() { return frame10(ids::kAmqpFrame, {}); }

}  // namespace test
}  // namespace warren::amqp
