// Where credential bytes lie in the client stream: positions only, never the bytes.
//
// The sniffer records, for each credential field it skips (0-9-1 Start-Ok/Secure-Ok
// `response`, 1.0 sasl-init `initial-response` and sasl-response `response`), the offset of
// the field's content from the first byte the client sent and its length. Nothing else uses
// them: they exist so that tests and the fuzz target can check that the sniffer's results
// do not depend on those bytes (rewrite them, sniff again, compare).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace warren::amqp {

struct CredentialRange {
  uint64_t offset = 0;  // from the client's first byte
  uint64_t length = 0;

  bool operator==(const CredentialRange&) const = default;
};

// At most this many ranges are kept; more set CredentialRanges::overflow.
inline constexpr size_t kMaxCredentialRanges = 4;

class CredentialRanges {
 public:
  void add(uint64_t offset, uint64_t length) {
    if (count_ == ranges_.size()) {
      overflow_ = true;
      return;
    }
    ranges_[count_++] = {offset, length};
  }
  std::span<const CredentialRange> ranges() const { return {ranges_.data(), count_}; }
  // More credential fields were seen than kMaxCredentialRanges.
  bool overflow() const { return overflow_; }

 private:
  std::array<CredentialRange, kMaxCredentialRanges> ranges_{};
  size_t count_ = 0;
  bool overflow_ = false;
};

}  // namespace warren::amqp
