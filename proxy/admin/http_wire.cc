#include "admin/http_wire.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace warren::admin {
namespace {

ParsedHead refused(int status, std::string why) {
  ParsedHead out;
  out.state = ParsedHead::State::kRefused;
  out.status = status;
  out.error = std::move(why);
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters (a method, a header name).
bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// The end of the head (just past its blank line) and the line ending it uses; nullopt until
// it has arrived. Bare LF line endings are accepted as RFC 9112 allows.
std::optional<size_t> headEnd(std::string_view received) {
  for (size_t at = received.find('\n'); at != std::string_view::npos; at = received.find('\n', at + 1)) {
    if (at + 1 < received.size() && received[at + 1] == '\n') return at + 2;
    if (at + 2 < received.size() && received[at + 1] == '\r' && received[at + 2] == '\n') return at + 3;
  }
  return std::nullopt;
}

// The next line of `rest` without its line ending; `rest` moves past it.
std::string_view nextLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace

ParsedHead parseRequestHead(std::string_view received) {
  const std::optional<size_t> end = headEnd(received);
  const size_t size = end ? *end : received.size();
  if (size > kMaxRequestHead) {
    return refused(431, "the request head is larger than " + std::to_string(kMaxRequestHead) + " bytes");
  }
  if (!end) return ParsedHead{};
  std::string_view rest = received.substr(0, *end);

  // Request line: METHOD SP target SP HTTP/1.x
  const std::string_view line = nextLine(rest);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return refused(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) return refused(400, "malformed method");
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1.") return refused(505, "only HTTP/1.x is served");
  if (target.empty() || target.front() != '/') return refused(400, "the target must be a path (origin-form)");

  ParsedHead out;
  out.request.method = std::string(method);
  const size_t question = target.find('?');
  if (!percentDecode(std::string(target.substr(0, question)), out.request.path)) {
    return refused(400, "malformed percent-encoding in the path");
  }
  if (question != std::string_view::npos) out.request.query = std::string(target.substr(question + 1));

  std::optional<size_t> content_length;
  for (std::string_view header = nextLine(rest); !header.empty(); header = nextLine(rest)) {
    const size_t colon = header.find(':');
    if (colon == std::string_view::npos || !isToken(header.substr(0, colon))) return refused(400, "malformed header");
    const std::string_view name = header.substr(0, colon);
    const std::string_view value = trim(header.substr(colon + 1));
    if (equalsIgnoreCase(name, "Content-Length")) {
      size_t n = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        return refused(400, "malformed Content-Length");
      }
      if (content_length && *content_length != n) return refused(400, "conflicting Content-Length headers");
      content_length = n;
    } else if (equalsIgnoreCase(name, "Transfer-Encoding")) {
      return refused(501, "Transfer-Encoding is not supported: send the body with a Content-Length");
    } else if (equalsIgnoreCase(name, "Authorization")) {
      out.request.authorization = std::string(value);
    } else if (equalsIgnoreCase(name, "Origin")) {
      out.request.origin = std::string(value);
    } else if (equalsIgnoreCase(name, "Expect")) {
      if (!equalsIgnoreCase(value, "100-continue")) return refused(400, "unsupported Expect");
      out.expect_continue = true;
    }
  }
  out.content_length = content_length.value_or(0);
  out.state = ParsedHead::State::kComplete;
  out.head_size = *end;
  return out;
}

std::string serializeResponse(const Response& response, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reasonPhrase(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

std::string_view continueLine() { return "HTTP/1.1 100 Continue\r\n\r\n"; }

}  // namespace warren::admin
