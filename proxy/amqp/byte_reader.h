// Bounds-checked big-endian cursor over a byte span. Internal to amqp.
//
// Every read either succeeds and advances, or fails (returns false) and leaves the cursor
// where it was. Nothing is copied: spans point into the underlying bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace warren::amqp {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  // The unread rest.
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

  bool readU8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }

  bool readU16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }

  bool readU32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = (static_cast<uint32_t>(data_[pos_]) << 24) |
          (static_cast<uint32_t>(data_[pos_ + 1]) << 16) |
          (static_cast<uint32_t>(data_[pos_ + 2]) << 8) | static_cast<uint32_t>(data_[pos_ + 3]);
    pos_ += 4;
    return true;
  }

  bool readU64(uint64_t& out) {
    uint32_t high = 0;
    uint32_t low = 0;
    if (remaining() < 8) return false;
    readU32(high);
    readU32(low);
    out = (static_cast<uint64_t>(high) << 32) | low;
    return true;
  }

  bool readBytes(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Big-endian reads at a known-valid position (the caller has checked the length).
inline uint32_t loadBe32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

}  // namespace warren::amqp
