// Bounds-checked big-endian cursor over a byte span. Internal to amqp.
//
// Every read either succeeds and advances, or fails (returns false) and leaves the cursor
// where it was. Nothing is copied: spans point into the underlying bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/big_endian.h"

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
    out = big_endian::load16(&data_[pos_]);
    pos_ += 2;
    return true;
  }

  bool readU32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = big_endian::load32(&data_[pos_]);
    pos_ += 4;
    return true;
  }

  bool readU64(uint64_t& out) {
    if (remaining() < 8) return false;
    out = big_endian::load64(&data_[pos_]);
    pos_ += 8;
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

}  // namespace warren::amqp
