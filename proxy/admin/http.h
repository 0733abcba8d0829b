// The admin endpoint's requests and responses as plain values, so that routing, auth and
// the JSON API are tested without sockets (http_wire.h reads and writes them on the wire).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace warren::admin {

struct Request {
  std::string method;         // "GET", "POST", ...
  std::string path;           // URL-decoded path, without the query: "/api/clusters/main/nodes/127.0.0.1:5672/drain"
  std::string query;          // raw query string (after '?'), still URL-encoded
  std::string body;
  std::string authorization;  // the Authorization header, "" when absent
  std::string origin;         // the Origin header (browsers send it), "" when absent
  bool peer_loopback = false;  // the peer's address is 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

Response textResponse(int status, std::string body);
Response jsonResponse(int status, const nlohmann::json& body);
// {"error": message}
Response errorResponse(int status, const std::string& message);

// The value of `name` in a URL query ("a=1&weight=5"), percent-decoded; false when absent.
bool queryParam(const std::string& query, const std::string& name, std::string& value);
// Percent-decoding ('+' stays '+'); false on a malformed escape.
bool percentDecode(const std::string& in, std::string& out);

}  // namespace warren::admin
