// libFuzzer target for the AMQP handshake sniffer (proxy/amqp).
//
// Input: [client length: u16 big-endian][seed: u8][client bytes][server bytes]. The
// client length is clamped to what is there; the rest is the server stream. The seed picks
// the buffer bound (bit 7: 600 bytes, else 64 KiB) and drives a small PRNG that cuts both
// streams into chunks and interleaves them (the client's first chunk goes first). Seeds in
// tests/fuzz/corpus/amqp_sniffer_fuzz/ are the captured fixtures in this format.
//
// Aborts on any broken invariant:
//  - bounds: after every call, buffered bytes and reserved capacity stay within the bound
//    per direction; once the sniffer has ended, both are 0;
//  - shape: Error <=> error() != None; Misdirected <=> misdirected() != None <=>
//    protocol NotAmqp; Done => an outcome; Opened over 0-9-1 => Tune-Ok seen, over 1.0 =>
//    both opens seen; info strings at most kMaxInfoStringLength; no toString is "invalid";
//  - finality: once ended, more bytes change nothing (status, error, info);
//  - split invariance: the same interleaving fed one byte per call gives the same result;
//  - credentials, by construction: the run is repeated with every byte inside the
//    sniffer's reported credential ranges replaced; status, error and info must be the
//    same (nothing reported depends on those bytes). And the fixture password
//    "s3cret-fixture-pw" may appear in an info string only if it still appears in the
//    input once those bytes are replaced (i.e. the input itself put it elsewhere).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/sniffer.h"
#include "fuzz_check.h"

namespace amqp = warren::amqp;

namespace {

constexpr std::string_view kFixturePassword = "s3cret-fixture-pw";
constexpr size_t kSmallBound = 600;
constexpr size_t kPrefixSize = 3;

struct Step {
  bool client;
  size_t offset;
  size_t length;
};

struct Input {
  std::vector<uint8_t> client;
  std::vector<uint8_t> server;
  size_t max_buffered = amqp::Sniffer::kDefaultMaxBuffered;
  std::vector<Step> steps;
};

uint32_t nextRandom(uint32_t& state) {
  // xorshift32; the state is never 0.
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

std::vector<Step> planSteps(size_t client_size, size_t server_size, uint8_t seed) {
  std::vector<Step> steps;
  uint32_t state = 0x9E3779B9u ^ (uint32_t{seed} << 8) ^ static_cast<uint32_t>(client_size);
  size_t client_at = 0;
  size_t server_at = 0;
  bool first = true;
  while (client_at < client_size || server_at < server_size) {
    const uint32_t r = nextRandom(state);
    bool client = (r & 1) != 0;
    if (first || server_at == server_size) client = client_at < client_size;
    if (client_at == client_size) client = false;
    first = false;
    // Mostly small chunks, sometimes large ones.
    const size_t limit = (r >> 1) % 8 == 0 ? 700 : 24;
    const size_t want = 1 + (r >> 4) % limit;
    size_t& at = client ? client_at : server_at;
    const size_t size = client ? client_size : server_size;
    const size_t n = std::min(want, size - at);
    steps.push_back({client, at, n});
    at += n;
  }
  return steps;
}

Input parse(const uint8_t* data, size_t size) {
  Input in;
  if (size < kPrefixSize) return in;
  const size_t want_client = (size_t{data[0]} << 8) | data[1];
  const uint8_t seed = data[2];
  const uint8_t* rest = data + kPrefixSize;
  const size_t rest_size = size - kPrefixSize;
  const size_t client_size = std::min(want_client, rest_size);
  in.client.assign(rest, rest + client_size);
  in.server.assign(rest + client_size, rest + rest_size);
  in.max_buffered = (seed & 0x80) != 0 ? kSmallBound : amqp::Sniffer::kDefaultMaxBuffered;
  in.steps = planSteps(in.client.size(), in.server.size(), seed);
  return in;
}

// Every string in HandshakeInfo, without copies.
std::array<const std::string*, 13> infoStrings(const amqp::HandshakeInfo& i) {
  return {&i.server_product, &i.server_version, &i.cluster_name,    &i.connection_name,
          &i.client_product, &i.client_version, &i.client_platform, &i.mechanism,
          &i.vhost,          &i.sasl_outcome,   &i.hostname,        &i.container_id,
          &i.close_condition};
}

// Everything observable, flattened, for equality checks.
std::string snapshot(const amqp::Sniffer& s) {
  const amqp::HandshakeInfo& i = s.info();
  std::string out;
  out += amqp::toString(s.status());
  out += '|';
  out += amqp::toString(s.error());
  out += '|';
  out += amqp::toString(s.misdirected());
  out += '|';
  out += amqp::toString(i.protocol);
  out += amqp::toString(i.server_protocol);
  out += amqp::toString(i.outcome);
  for (const std::string* text : infoStrings(i)) {
    out += '|';
    out += std::to_string(text->size());
    out += ':';
    out += *text;
  }
  for (uint64_t v : {uint64_t{i.sasl}, uint64_t{i.server_heartbeat}, uint64_t{i.server_frame_max},
                     uint64_t{i.server_channel_max}, uint64_t{i.heartbeat}, uint64_t{i.frame_max},
                     uint64_t{i.channel_max}, uint64_t{i.tuned}, uint64_t{i.client_idle_timeout_ms},
                     uint64_t{i.server_idle_timeout_ms}, uint64_t{i.client_open_seen},
                     uint64_t{i.server_open_seen}, uint64_t{i.close_code},
                     uint64_t{i.close_class_id}, uint64_t{i.close_method_id}}) {
    out += '|';
    out += std::to_string(v);
  }
  return out;
}

void checkShape(const amqp::Sniffer& s, size_t max_buffered) {
  FUZZ_CHECK(s.bufferedBytes() <= 2 * max_buffered);
  FUZZ_CHECK(s.bufferCapacity() <= 2 * max_buffered);
  if (s.finished()) FUZZ_CHECK(s.bufferCapacity() == 0);
  const amqp::HandshakeInfo& i = s.info();
  FUZZ_CHECK((s.status() == amqp::Status::Error) == (s.error() != amqp::Error::None));
  const bool misdirected = s.error() == amqp::Error::Misdirected;
  FUZZ_CHECK(misdirected == (s.misdirected() != amqp::Misdirected::None));
  FUZZ_CHECK(misdirected == (i.protocol == amqp::Protocol::NotAmqp));
  FUZZ_CHECK(s.done() == (i.outcome != amqp::Outcome::None));
  if (i.outcome == amqp::Outcome::Opened) {
    if (i.protocol == amqp::Protocol::Amqp091) FUZZ_CHECK(i.tuned);
    if (i.protocol == amqp::Protocol::Amqp10) {
      FUZZ_CHECK(i.client_open_seen && i.server_open_seen);
    }
  }
  for (const std::string* text : infoStrings(i)) {
    FUZZ_CHECK(text->size() <= amqp::kMaxInfoStringLength);
  }
  for (const char* name :
       {amqp::toString(s.status()), amqp::toString(s.error()), amqp::toString(s.misdirected()),
        amqp::toString(i.protocol), amqp::toString(i.server_protocol), amqp::toString(i.outcome)}) {
    FUZZ_CHECK(std::strcmp(name, "invalid") != 0);
  }
}

// Feeds the planned steps; with `one_byte_calls` each step is fed a byte per call. Checks
// bounds after every call and, at the end, that nothing changed after the sniffer ended.
// Returns the number of client bytes fed before it ended.
size_t run(amqp::Sniffer& s, const Input& in, bool one_byte_calls) {
  size_t client_fed = 0;
  std::string at_finish;
  bool fed_after_finish = false;
  for (const Step& step : in.steps) {
    const std::vector<uint8_t>& stream = step.client ? in.client : in.server;
    const size_t piece = one_byte_calls ? 1 : step.length;
    for (size_t at = 0; at < step.length; at += piece) {
      const std::span<const uint8_t> bytes(stream.data() + step.offset + at, piece);
      const bool was_finished = s.finished();
      const amqp::Status returned = step.client ? s.onClientBytes(bytes) : s.onServerBytes(bytes);
      FUZZ_CHECK(returned == s.status());
      if (step.client && !was_finished) client_fed += piece;
      checkShape(s, in.max_buffered);
      if (was_finished) {
        fed_after_finish = true;
      } else if (s.finished()) {
        at_finish = snapshot(s);
      }
    }
  }
  if (fed_after_finish) FUZZ_CHECK(snapshot(s) == at_finish);
  return client_fed;
}

bool containsPassword(const std::vector<uint8_t>& bytes) {
  return std::search(bytes.begin(), bytes.end(), kFixturePassword.begin(),
                     kFixturePassword.end()) != bytes.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Input in = parse(data, size);
  if (in.steps.empty()) return 0;

  amqp::Sniffer s(in.max_buffered);
  const size_t client_fed = run(s, in, false);
  const std::string result = snapshot(s);

  // Split invariance.
  amqp::Sniffer bytewise(in.max_buffered);
  run(bytewise, in, true);
  FUZZ_CHECK(snapshot(bytewise) == result);

  // Credential ranges: inside what was fed, and nothing depends on their bytes.
  Input blinded = in;
  for (const amqp::CredentialRange& r : s.credentialRanges().ranges()) {
    FUZZ_CHECK(r.offset + r.length <= client_fed);
    for (uint64_t i = 0; i < r.length; ++i) {
      blinded.client[r.offset + i] = static_cast<uint8_t>(~blinded.client[r.offset + i]);
    }
  }
  if (!s.credentialRanges().overflow()) {
    amqp::Sniffer again(in.max_buffered);
    run(again, blinded, false);
    FUZZ_CHECK(snapshot(again) == result);
    if (!containsPassword(blinded.client) && !containsPassword(blinded.server)) {
      for (const std::string* text : infoStrings(s.info())) {
        FUZZ_CHECK(text->find(kFixturePassword) == std::string::npos);
      }
    }
  }
  return 0;
}
