#include "config/server_name.h"

#include <arpa/inet.h>

#include <algorithm>

#include "common/ascii.h"
#include "config/message.h"

namespace warren::config {
namespace {

constexpr size_t kMaxName = 253;
constexpr size_t kMaxLabel = 63;

bool isLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

using ascii::lower;

bool isIpv4(std::string_view text) {
  if (text.size() > 15) return false;
  in_addr unused{};
  return ::inet_pton(AF_INET, std::string(text).c_str(), &unused) == 1;
}

}  // namespace

Parsed<std::string> parseServerName(std::string_view text, Wildcard wildcard) {
  using Result = Parsed<std::string>;
  const std::string shown = quote(text);
  if (text.empty()) return Result::fail("must not be empty");
  if (std::any_of(text.begin(), text.end(), [](char c) { return (c & 0x80) != 0; })) {
    return Result::fail("invalid server name " + shown +
                        ": non-ASCII characters; write the name in its xn-- (punycode) form");
  }
  std::string_view name = text;
  std::string out;
  if (name.size() >= 1 && name.front() == '*') {
    if (wildcard == Wildcard::Rejected) {
      return Result::fail("invalid server name " + shown + ": a wildcard is not allowed here");
    }
    if (name.size() <= 2 || name[1] != '.') {
      if (name.size() >= 2 && name[1] != '.') {
        return Result::fail("invalid server name " + shown +
                            ": a wildcard must be the whole first label, as in \"*.example.com\"");
      }
      return Result::fail("invalid server name " + shown +
                          ": a wildcard needs a domain after it, as in \"*.example.com\"");
    }
    out = "*.";
    name.remove_prefix(2);
  }
  if (name.size() + out.size() > kMaxName) {
    return Result::fail("invalid server name " + shown + ": longer than 253 characters");
  }
  if (name.back() == '.') {
    return Result::fail("invalid server name " + shown + ": remove the trailing dot");
  }
  if (out.empty() && isIpv4(name)) {
    return Result::fail("invalid server name " + shown +
                        ": an IP address is not a server name (SNI carries DNS names only)");
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view label = name.substr(start, end - start);
    if (label.empty()) {
      return Result::fail("invalid server name " + shown + ": empty label");
    }
    if (label.size() > kMaxLabel) {
      return Result::fail("invalid server name " + shown + ": a label is longer than 63 characters");
    }
    for (char c : label) {
      if (c == '*') {
        return Result::fail(
            "invalid server name " + shown +
            (wildcard == Wildcard::Rejected
                 ? ": a wildcard is not allowed here"
                 : ": a wildcard must be the whole first label, as in \"*.example.com\""));
      }
      if (!isLetterOrDigit(c) && c != '-') {
        return Result::fail("invalid server name " + shown + ": " + quote(std::string(1, c)) +
                            " is not allowed (use letters, digits, '-' and '.')");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return Result::fail("invalid server name " + shown +
                          ": a label must not start or end with '-'");
    }
    start = end + 1;
  }
  for (char c : name) out += lower(c);
  return Result::ok(std::move(out));
}

}  // namespace warren::config
