// libFuzzer target for the PROXY protocol decoder (and, through re-encoding,
// the encoders). Aborts on any broken invariant:
//  - result shape: Done has 0 < consumed <= size and no error; NeedMore/Error
//    have consumed 0; Error has an error code, the others None;
//  - re-encoding: a Done header with addresses, written again with writeV1 (v1)
//    or writeV2 (v2), parses back to the same header; for v2 the bytes are the
//    very same as the input's header;
//  - prefixes: feeding every prefix, an Error is never followed by anything but
//    the same Error, a Done never by anything but the same Done (same consumed,
//    same header), and when the whole input is Done with consumed c, all shorter
//    prefixes than c are NeedMore.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "proxy_protocol/proxy_protocol.h"
#include "fuzz_check.h"

namespace pp = warren::proxy_protocol;

namespace {

void checkShape(const pp::ParseResult& r, size_t size) {
  switch (r.status) {
    case pp::ParseStatus::Done:
      FUZZ_CHECK(r.consumed > 0 && r.consumed <= size);
      FUZZ_CHECK(r.error == pp::ParseError::None);
      break;
    case pp::ParseStatus::NeedMore:
      FUZZ_CHECK(r.consumed == 0 && r.error == pp::ParseError::None);
      break;
    case pp::ParseStatus::Error:
      FUZZ_CHECK(r.consumed == 0 && r.error != pp::ParseError::None);
      FUZZ_CHECK(std::strcmp(pp::toString(r.error), "unknown") != 0);
      break;
  }
}

void checkHeader(const pp::Header& h, size_t consumed) {
  if (h.version == pp::Version::V1) {
    FUZZ_CHECK(consumed <= pp::kMaxV1HeaderLength);
    FUZZ_CHECK(h.command == pp::Command::Proxy);
    FUZZ_CHECK(h.tlvs.empty());
  } else {
    FUZZ_CHECK(consumed >= pp::kV2FixedLength && consumed <= pp::kMaxHeaderLength);
    if (h.command == pp::Command::Local) FUZZ_CHECK(!h.has_addresses);
  }
  if (h.has_addresses) {
    FUZZ_CHECK(h.source.valid() && h.destination.valid());
    FUZZ_CHECK(h.source.family() == h.destination.family());
  } else {
    FUZZ_CHECK(!h.source.valid() && !h.destination.valid());
  }
}

void checkReencode(const pp::Header& h, std::span<const uint8_t> original) {
  if (!h.has_addresses) return;
  std::vector<uint8_t> buf(pp::kMaxHeaderLength);
  size_t n = 0;
  if (h.version == pp::Version::V1) {
    n = pp::writeV1(h.source, h.destination, buf);
    FUZZ_CHECK(n > 0 && n <= pp::kMaxV1HeaderLength);
  } else {
    n = pp::writeV2(h.source, h.destination, h.tlvs, buf);
    FUZZ_CHECK(n == original.size());
    FUZZ_CHECK(std::memcmp(buf.data(), original.data(), n) == 0);
  }
  pp::Header again;
  const pp::ParseResult r = pp::parse(std::span<const uint8_t>(buf.data(), n), again);
  FUZZ_CHECK(r.status == pp::ParseStatus::Done && r.consumed == n);
  FUZZ_CHECK(again == h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  pp::Header header;
  const pp::ParseResult full = pp::parse(input, header);
  checkShape(full, size);
  if (full.status == pp::ParseStatus::Done) {
    checkHeader(header, full.consumed);
    checkReencode(header, input.first(full.consumed));
  }

  // Past kMaxHeaderLength + 1 bytes nothing can change any more, so the prefix
  // walk stops there (plus the whole input, checked above).
  const size_t last = size < pp::kMaxHeaderLength + 1 ? size : pp::kMaxHeaderLength + 1;
  bool decided = false;
  pp::ParseResult first{};
  pp::Header first_header;
  for (size_t n = 0; n <= last; ++n) {
    pp::Header h;
    const pp::ParseResult r = pp::parse(input.first(n), h);
    checkShape(r, n);
    if (full.status == pp::ParseStatus::Done && n < full.consumed) {
      FUZZ_CHECK(r.status == pp::ParseStatus::NeedMore);
    }
    if (decided) {
      FUZZ_CHECK(r == first);
      if (r.status == pp::ParseStatus::Done) FUZZ_CHECK(h == first_header);
    } else if (r.status != pp::ParseStatus::NeedMore) {
      decided = true;
      first = r;
      first_header = h;
    }
  }
  if (decided) {
    FUZZ_CHECK(full == first);
    if (full.status == pp::ParseStatus::Done) FUZZ_CHECK(header == first_header);
  } else {
    FUZZ_CHECK(full.status == pp::ParseStatus::NeedMore);
  }
  return 0;
}
