// libFuzzer target for the admin endpoint's request handling (routing, the bearer token,
// query and JSON parsing, node actions) without sockets. The input is split into a request:
//   byte 0: method (GET, POST, HEAD, PUT, DELETE) and options (a token set; protect_metrics;
//   a reload hook; a loopback peer; a browser Origin)
//   then, separated by '\n': path, query, body, Authorization header.
// Aborts on any broken invariant:
//  - handle() returns (no exception) a status from the documented set;
//  - a JSON answer parses back as JSON;
//  - with a token, a protected path whose Authorization header does not even hold the token
//    is 401, and nothing changed on the nodes; so is a state change (not GET or HEAD);
//  - without a token, a state change from a peer that is not loopback, or with an Origin, is
//    403 and changed nothing;
//  - node weights stay within 1..1000;
//  - percentDecode: what decodes re-encodes (every byte as %XX) and decodes to the same bytes;
//    queryParam finds a parameter appended to any query that does not already hold it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/http.h"
#include "admin/router.h"
#include "upstream/cluster.h"
#include "fuzz_check.h"

namespace admin = warren::admin;

namespace {

constexpr char kToken[] = "s3cret";

std::vector<warren::upstream::ClusterSharedPtr> clusters() {
  warren::config::Cluster c;
  c.name = "main";
  for (uint16_t port : {5672, 5673}) {
    warren::Address a = *warren::Address::parse("127.0.0.1:0");
    a.setPort(port);
    c.nodes.push_back(warren::config::Node{a, 1});
  }
  return {std::make_shared<warren::upstream::Cluster>(c)};
}

// Each node's (weight, drained), to see whether a request changed anything.
std::vector<std::pair<int64_t, bool>> state(const std::vector<warren::upstream::ClusterSharedPtr>& cs) {
  std::vector<std::pair<int64_t, bool>> out;
  for (const auto& c : cs) {
    for (const auto& n : c->nodes()) out.emplace_back(static_cast<int64_t>(n->weight()), n->drained());
  }
  return out;
}

std::string field(const uint8_t*& at, const uint8_t* end) {
  const uint8_t* start = at;
  while (at < end && *at != '\n') ++at;
  std::string out(reinterpret_cast<const char*>(start), static_cast<size_t>(at - start));
  if (at < end) ++at;
  return out;
}

void checkPercentCoding(const std::string& text) {
  std::string decoded;
  if (!admin::percentDecode(text, decoded)) return;
  static const char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char ch : decoded) {
    encoded += '%';
    encoded += kHex[ch >> 4];
    encoded += kHex[ch & 15];
  }
  std::string again;
  FUZZ_CHECK(admin::percentDecode(encoded, again));
  FUZZ_CHECK(again == decoded);
  // A parameter appended to a query that does not hold it yet is found, with its value.
  const std::string name = "fuzzparam";
  std::string ignored;
  if (!admin::queryParam(text, name, ignored)) {
    std::string value;
    FUZZ_CHECK(admin::queryParam(text + "&" + name + "=" + encoded, name, value));
    FUZZ_CHECK(value == decoded);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kMethods[] = {"GET", "POST", "HEAD", "PUT", "DELETE"};
  const uint8_t flags = data[0];
  const uint8_t* at = data + 1;
  const uint8_t* end = data + size;
  admin::Request request;
  request.method = kMethods[(flags & 7) % 5];
  request.path = field(at, end);
  request.query = field(at, end);
  request.body = field(at, end);
  request.authorization = field(at, end);
  request.peer_loopback = (flags & 64) != 0;
  if (flags & 128) request.origin = "http://page.example";

  admin::ApiOptions options;
  if (flags & 8) options.token = kToken;
  options.protect_metrics = (flags & 16) != 0;
  auto cs = clusters();
  admin::Hooks hooks;
  hooks.clusters = [cs] { return cs; };
  hooks.stats = [] { return warren::session::Snapshot{}; };
  hooks.serving = [] { return true; };
  hooks.now_ms = [] { return int64_t{1000}; };
  if (flags & 32) hooks.reload = [] { return admin::ReloadResult{true, true, "reloaded"}; };
  const admin::AdminApi api(hooks, options);

  const auto before = state(cs);
  const admin::Response r = api.handle(request);
  static const std::set<int> kStatuses = {200, 400, 401, 403, 404, 405, 500, 501, 503};
  FUZZ_CHECK(kStatuses.count(r.status) == 1);
  if (r.content_type == "application/json") {
    FUZZ_CHECK(!nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false).is_discarded());
  }
  const bool api_path = request.path.rfind("/api/", 0) == 0;
  const bool changes_state = request.method != "GET" && request.method != "HEAD";
  const bool protected_path = !options.token.empty() && (api_path || changes_state || options.protect_metrics);
  if (protected_path && request.authorization.find(kToken) == std::string::npos) {
    FUZZ_CHECK(r.status == 401);
    FUZZ_CHECK(state(cs) == before);
  }
  if (options.token.empty() && changes_state && (!request.peer_loopback || !request.origin.empty())) {
    FUZZ_CHECK(r.status == 403);
    FUZZ_CHECK(state(cs) == before);
  }
  for (const auto& [weight, drained] : state(cs)) FUZZ_CHECK(weight >= 1 && weight <= 1000);

  checkPercentCoding(request.query);
  checkPercentCoding(request.path);
  return 0;
}
