#include "proxy_protocol/tlv.h"

#include <cstring>
#include <utility>

#include "common/big_endian.h"
#include "proxy_protocol/wire.h"

namespace warren::proxy_protocol {

size_t encodedSize(std::span<const Tlv> tlvs) {
  size_t size = 0;
  for (const Tlv& tlv : tlvs) size += kTlvHeaderLength + tlv.value.size();
  return size;
}

size_t writeTlvs(std::span<const Tlv> tlvs, std::span<uint8_t> out) {
  const size_t size = encodedSize(tlvs);
  if (size > out.size()) return 0;
  size_t offset = 0;
  for (const Tlv& tlv : tlvs) {
    if (tlv.value.size() > 0xFFFF) return 0;
    out[offset] = tlv.type;
    big_endian::store16(out.data() + offset + 1, static_cast<uint16_t>(tlv.value.size()));
    if (!tlv.value.empty()) {
      std::memcpy(out.data() + offset + kTlvHeaderLength, tlv.value.data(), tlv.value.size());
    }
    offset += kTlvHeaderLength + tlv.value.size();
  }
  return offset;
}

std::optional<std::vector<Tlv>> decodeTlvs(std::span<const uint8_t> bytes) {
  std::vector<Tlv> tlvs;
  size_t offset = 0;
  while (offset < bytes.size()) {
    if (bytes.size() - offset < kTlvHeaderLength) return std::nullopt;
    const size_t length = big_endian::load16(bytes.data() + offset + 1);
    const size_t value_offset = offset + kTlvHeaderLength;
    if (length > bytes.size() - value_offset) return std::nullopt;
    tlvs.push_back(Tlv{bytes[offset], wire::toString(bytes.subspan(value_offset, length))});
    offset = value_offset + length;
  }
  return tlvs;
}

const Tlv* findTlv(std::span<const Tlv> tlvs, uint8_t type) {
  for (const Tlv& tlv : tlvs) {
    if (tlv.type == type) return &tlv;
  }
  return nullptr;
}

Tlv makeSslTlv(uint8_t client_flags, uint32_t verify, std::span<const Tlv> sub_tlvs) {
  Tlv tlv;
  tlv.type = kPp2TypeSsl;
  tlv.value.reserve(kSslTlvFixedLength + encodedSize(sub_tlvs));
  tlv.value.push_back(static_cast<char>(client_flags));
  uint8_t be[4];
  big_endian::store32(be, verify);
  tlv.value.append(reinterpret_cast<const char*>(be), sizeof be);
  for (const Tlv& sub : sub_tlvs) {
    const size_t length = sub.value.size() > 0xFFFF ? 0xFFFF : sub.value.size();
    uint8_t head[kTlvHeaderLength] = {sub.type, 0, 0};
    big_endian::store16(head + 1, static_cast<uint16_t>(length));
    tlv.value.append(reinterpret_cast<const char*>(head), sizeof head);
    tlv.value.append(sub.value, 0, length);
  }
  return tlv;
}

std::optional<SslTlv> parseSslTlv(std::string_view value) {
  if (value.size() < kSslTlvFixedLength) return std::nullopt;
  const auto bytes = wire::asBytes(value);
  auto sub_tlvs = decodeTlvs(bytes.subspan(kSslTlvFixedLength));
  if (!sub_tlvs) return std::nullopt;
  SslTlv ssl;
  ssl.client = bytes[0];
  ssl.verify = big_endian::load32(bytes.data() + 1);
  ssl.sub_tlvs = std::move(*sub_tlvs);
  return ssl;
}

}  // namespace warren::proxy_protocol
