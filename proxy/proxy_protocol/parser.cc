#include "proxy_protocol/parser.h"

namespace warren::proxy_protocol {

const char* toString(ParseError error) {
  switch (error) {
    case ParseError::None: return "none";
    case ParseError::NotProxyProtocol: return "not_proxy_protocol";
    case ParseError::BadV1Line: return "bad_v1_line";
    case ParseError::V1TooLong: return "v1_too_long";
    case ParseError::BadV2Version: return "bad_v2_version";
    case ParseError::BadV2Command: return "bad_v2_command";
    case ParseError::BadFamily: return "bad_family";
    case ParseError::BadAddress: return "bad_address";
    case ParseError::AddressLengthMismatch: return "address_length_mismatch";
    case ParseError::TooLarge: return "too_large";
    case ParseError::BadTlv: return "bad_tlv";
    case ParseError::BadCrc32c: return "bad_crc32c";
  }
  return "unknown";
}

ParseResult parse(std::span<const uint8_t> data, Header& header) {
  if (data.empty()) return {ParseStatus::NeedMore, 0, ParseError::None};
  if (data[0] == kV1Prefix[0]) return parseV1(data, header);
  if (data[0] == kV2Signature[0]) return parseV2(data, header);
  return {ParseStatus::Error, 0, ParseError::NotProxyProtocol};
}

}  // namespace warren::proxy_protocol
