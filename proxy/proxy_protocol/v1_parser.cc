// v1 (§2.1) text-line decoder.
//
// The line is checked field by field as bytes arrive, so that a prefix that can
// never become a valid line is rejected at once. A partial field is checked for
// being a valid prefix of its kind, with the same error code its completed form
// would give: more bytes never turn an Error into something else.
#include <arpa/inet.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_protocol/parser.h"
#include "proxy_protocol/wire.h"

namespace warren::proxy_protocol {

namespace {

constexpr std::string_view kTcp4 = "TCP4";
constexpr std::string_view kTcp6 = "TCP6";
constexpr std::string_view kUnknown = "UNKNOWN";
constexpr size_t kMaxV4Text = 15;  // "255.255.255.255"
constexpr size_t kMaxV6Text = 45;  // INET6_ADDRSTRLEN - 1, with an embedded dotted quad
constexpr size_t kMaxPortText = 5;

enum class Family { Unknown, V4, V6 };

ParseResult error(ParseError e) { return {ParseStatus::Error, 0, e}; }
ParseResult needMore() { return {ParseStatus::NeedMore, 0, ParseError::None}; }

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool startsWith(std::string_view whole, std::string_view part) {
  return whole.substr(0, part.size()) == part;
}

// A dotted quad: four decimal numbers 0..255, no leading zeros. With
// `complete == false`, checks that `text` can still become one.
bool checkV4(std::string_view text, bool complete, uint8_t out[4]) {
  if (text.size() > kMaxV4Text) return false;
  int dots = 0;
  unsigned value = 0;
  size_t digits = 0;
  for (char c : text) {
    if (c == '.') {
      if (digits == 0 || dots == 3) return false;
      out[dots++] = static_cast<uint8_t>(value);
      value = 0;
      digits = 0;
    } else if (isDigit(c)) {
      if (digits == 1 && value == 0) return false;  // leading zero
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 255) return false;
      ++digits;
    } else {
      return false;
    }
  }
  if (!complete) return true;
  if (dots != 3 || digits == 0) return false;
  out[3] = static_cast<uint8_t>(value);
  return true;
}

// An IPv6 literal as inet_pton(AF_INET6) takes it. Partial: allowed characters only.
bool checkV6(std::string_view text, bool complete, uint8_t out[16]) {
  if (text.size() > kMaxV6Text) return false;
  for (char c : text) {
    if (!isHex(c) && c != ':' && c != '.') return false;
  }
  if (!complete) return true;
  char buf[kMaxV6Text + 1];
  std::copy(text.begin(), text.end(), buf);
  buf[text.size()] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

// Decimal 0..65535, no sign, no leading zero. Partial: a prefix of one.
bool checkPort(std::string_view text, bool complete, uint16_t& out) {
  if (text.size() > kMaxPortText) return false;
  unsigned value = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!isDigit(text[i])) return false;
    if (i == 1 && text[0] == '0') return false;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (value > 0xFFFF) return false;
  if (complete && text.empty()) return false;
  out = static_cast<uint16_t>(value);
  return true;
}

// Checks the fields after "PROXY ". `fields` holds no CR or LF. With
// `complete`, it is the whole line and `out` is filled on success; otherwise it
// is a prefix and its last field may be partial.
ParseError checkFields(std::string_view fields, bool complete, Header* out) {
  Family family = Family::Unknown;
  uint8_t src[16] = {};
  uint8_t dst[16] = {};
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  size_t index = 0;
  size_t pos = 0;
  while (true) {
    const size_t space = fields.find(' ', pos);
    const bool last = space == std::string_view::npos;
    const std::string_view token =
        last ? fields.substr(pos) : fields.substr(pos, space - pos);
    const bool whole = !last || complete;  // the token can't grow any more
    switch (index) {
      case 0:
        if (!whole) {
          if (startsWith(kTcp4, token) || startsWith(kTcp6, token) ||
              startsWith(kUnknown, token)) {
            return ParseError::None;
          }
          return ParseError::BadV1Line;
        }
        if (token == kUnknown) {
          // §2.1: the rest of the line is ignored; the caller looks for CRLF.
          if (complete && out != nullptr) {
            *out = Header{};
            out->version = Version::V1;
            out->command = Command::Proxy;
          }
          return ParseError::None;
        }
        if (token == kTcp4) {
          family = Family::V4;
        } else if (token == kTcp6) {
          family = Family::V6;
        } else {
          return ParseError::BadV1Line;
        }
        break;
      case 1:
      case 2: {
        if (whole && token.empty()) return ParseError::BadV1Line;  // double space
        uint8_t* bytes = index == 1 ? src : dst;
        const bool ok = family == Family::V4 ? checkV4(token, whole, bytes)
                                             : checkV6(token, whole, bytes);
        if (!ok) return ParseError::BadAddress;
        break;
      }
      case 3:
      case 4:
        if (!checkPort(token, whole, index == 3 ? src_port : dst_port)) {
          return ParseError::BadV1Line;
        }
        break;
      default:
        return ParseError::BadV1Line;  // a sixth field
    }
    if (last) break;
    pos = space + 1;
    ++index;
  }
  if (!complete) return ParseError::None;
  if (index != 4) return ParseError::BadV1Line;  // missing fields
  if (out != nullptr) {
    *out = Header{};
    out->version = Version::V1;
    out->command = Command::Proxy;
    out->has_addresses = true;
    if (family == Family::V4) {
      out->source = wire::makeV4(src, src_port);
      out->destination = wire::makeV4(dst, dst_port);
    } else {
      out->source = wire::makeV6(src, src_port);
      out->destination = wire::makeV6(dst, dst_port);
    }
  }
  return ParseError::None;
}

ParseResult done(size_t consumed, Header& parsed, Header& header) {
  header = std::move(parsed);
  return {ParseStatus::Done, consumed, ParseError::None};
}

}  // namespace

ParseResult parseV1(std::span<const uint8_t> data, Header& header) {
  if (data.empty()) return needMore();
  const std::string_view text = wire::asChars(data);
  const size_t prefix = std::min(text.size(), kV1Prefix.size());
  if (text.substr(0, prefix) != kV1Prefix.substr(0, prefix)) {
    return error(ParseError::NotProxyProtocol);
  }
  if (text.size() <= kV1Prefix.size()) return needMore();

  // Only the first kMaxV1HeaderLength bytes can hold the line and its CRLF.
  const std::string_view window = text.substr(0, kMaxV1HeaderLength);
  const bool window_full = window.size() == kMaxV1HeaderLength;
  const size_t stop = window.find_first_of("\r\n", kV1Prefix.size());
  if (stop == std::string_view::npos) {
    const ParseError e = checkFields(window.substr(kV1Prefix.size()), false, nullptr);
    if (e != ParseError::None) return error(e);
    return window_full ? error(ParseError::V1TooLong) : needMore();
  }

  Header parsed;
  const std::string_view fields = window.substr(kV1Prefix.size(), stop - kV1Prefix.size());
  const ParseError e = checkFields(fields, true, &parsed);
  if (e != ParseError::None) return error(e);

  if (!parsed.has_addresses) {  // UNKNOWN: anything up to the first CRLF
    const size_t crlf = window.find("\r\n", stop);
    if (crlf != std::string_view::npos) return done(crlf + 2, parsed, header);
    return window_full ? error(ParseError::V1TooLong) : needMore();
  }

  // TCP4/TCP6: the fields must end with CRLF, nothing else.
  if (window[stop] != '\r') return error(ParseError::BadV1Line);  // lone LF
  if (stop + 1 == window.size()) {
    return window_full ? error(ParseError::V1TooLong) : needMore();
  }
  if (window[stop + 1] != '\n') return error(ParseError::BadV1Line);  // lone CR
  return done(stop + 2, parsed, header);
}

}  // namespace warren::proxy_protocol
