// The admin endpoint's HTTP/1.1 on the wire: a request head parsed from the bytes received so
// far (incomplete, refused with a status, or complete), and a Response serialised. Only what
// the endpoint needs: one request per connection ("Connection: close" always), bodies by
// Content-Length (no chunked encoding), origin-form targets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "admin/http.h"

namespace warren::admin {

// Largest request head (request line and headers) accepted: 431 beyond it.
inline constexpr size_t kMaxRequestHead = 8192;
// Largest request body accepted (the JSON API's bodies are tiny): 413 beyond it, once the
// token was checked (an unauthenticated peer learns nothing but 401).
inline constexpr size_t kMaxRequestBody = 64 * 1024;

struct ParsedHead {
  enum class State { kIncomplete, kRefused, kComplete };
  State state = State::kIncomplete;
  // kRefused: the status to answer (400, 431, 501, 505) and why.
  int status = 0;
  std::string error;
  // kComplete: method, path (percent-decoded), query, Authorization and Origin; no body yet.
  Request request;
  size_t head_size = 0;        // bytes of the head, its blank line included
  size_t content_length = 0;   // body bytes that follow the head (may exceed kMaxRequestBody)
  bool expect_continue = false;  // "Expect: 100-continue"
};

// `received`: the connection's bytes from its first one. Incomplete until the blank line
// ending the head has arrived (refused at once when more than kMaxRequestHead bytes came
// without it).
ParsedHead parseRequestHead(std::string_view received);

// Status line, Content-Type, Content-Length, Cache-Control: no-store, Connection: close, the
// response's own headers, then the body unless `head_only` (a HEAD request).
std::string serializeResponse(const Response& response, bool head_only);

// "HTTP/1.1 100 Continue" and its blank line.
std::string_view continueLine();

}  // namespace warren::admin
