#include "admin/router.h"

#include <spdlog/spdlog.h>

#include "admin/auth.h"
#include "admin/cluster_api.h"
#include "admin/readiness.h"
#include "common/logging.h"

namespace warren::admin {
namespace {

const stats::ReloadStats kNoReloads;

Response methodNotAllowed(const char* allow) {
  Response r = errorResponse(405, std::string("method not allowed; use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

Response unauthorized() {
  Response r = errorResponse(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"warren\"");
  return r;
}

Response forbidden(const std::string& why) { return errorResponse(403, why); }

bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool readOnly(const std::string& method) { return method == "GET" || method == "HEAD"; }

}  // namespace

AdminApi::AdminApi(Hooks hooks, ApiOptions options)
    : hooks_(std::move(hooks)), options_(std::make_shared<const ApiOptions>(std::move(options))), build_(buildInfo()) {}

void AdminApi::setOptions(ApiOptions options) {
  auto next = std::make_shared<const ApiOptions>(std::move(options));
  std::lock_guard<std::mutex> lock(options_mutex_);
  options_ = std::move(next);
}

std::shared_ptr<const ApiOptions> AdminApi::options() const {
  std::lock_guard<std::mutex> lock(options_mutex_);
  return options_;
}

std::optional<Response> AdminApi::refusal(const Request& request) const { return refusal(request, *options()); }

std::optional<Response> AdminApi::refusal(const Request& request, const ApiOptions& options) {
  const bool api_path = startsWith(request.path, "/api/");
  const bool changes_state = !readOnly(request.method);
  if (!options.token.empty()) {
    const bool needs_token = api_path || changes_state || options.protect_metrics;
    if (needs_token && !bearerTokenMatches(request.authorization, options.token)) return unauthorized();
    return std::nullopt;
  }
  if (!changes_state) return std::nullopt;
  if (!request.peer_loopback) {
    return forbidden("without admin.token_file, changes are accepted from this host (loopback) only");
  }
  if (!request.origin.empty()) {
    return forbidden("without admin.token_file, changes are not accepted from a browser (Origin header)");
  }
  return std::nullopt;
}

bool AdminApi::answersAtOnce(const Request& request) {
  return readOnly(request.method) &&
         (request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics");
}

Response AdminApi::handle(const Request& request) const {
  if (auto refused = refusal(request, *options())) return *std::move(refused);
  if (startsWith(request.path, "/api/")) return api(request);

  const bool get = readOnly(request.method);
  if (request.path == "/metrics") return get ? metrics() : methodNotAllowed("GET");
  if (request.path == "/healthz") return get ? textResponse(200, "ok\n") : methodNotAllowed("GET");
  if (request.path == "/readyz") return get ? ready() : methodNotAllowed("GET");
  return errorResponse(404, "no such endpoint: " + request.path);
}

Response AdminApi::metrics() const {
  const session::Snapshot snapshot = hooks_.stats ? hooks_.stats() : session::Snapshot{};
  const auto clusters = hooks_.clusters ? hooks_.clusters() : std::vector<upstream::ClusterSharedPtr>{};
  const stats::ReloadStats& reloads = hooks_.reload_stats != nullptr ? *hooks_.reload_stats : kNoReloads;
  const int64_t now = hooks_.now_ms ? hooks_.now_ms() : 0;
  Response r = textResponse(200, renderMetrics(MetricsInput{snapshot, clusters, now, reloads, build_}));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

Response AdminApi::ready() const {
  const bool serving = hooks_.serving && hooks_.serving();
  const auto clusters = hooks_.clusters ? hooks_.clusters() : std::vector<upstream::ClusterSharedPtr>{};
  const Readiness r = evaluateReadiness(serving, clusters, hooks_.now_ms ? hooks_.now_ms() : 0);
  if (r.ready) return textResponse(200, "ready\n");
  return errorResponse(503, r.reason);
}

Response AdminApi::api(const Request& request) const {
  if (request.path == "/api/clusters") {
    if (request.method != "GET") return methodNotAllowed("GET");
    return jsonResponse(200, clustersJson(hooks_.clusters(), hooks_.now_ms()));
  }
  if (request.path == "/api/reload") {
    if (request.method != "POST") return methodNotAllowed("POST");
    const ReloadResult result = hooks_.reload ? hooks_.reload() : ReloadResult{false, false, "reload not available"};
    if (!result.available) return errorResponse(501, result.message);
    spdlog::info("admin_reload ok={} message={}", result.ok, logging::quote(result.message));
    if (!result.ok) return errorResponse(500, result.message);
    return jsonResponse(200, nlohmann::json{{"result", "ok"}, {"message", result.message}});
  }
  if (startsWith(request.path, "/api/clusters/")) return clusterApi(request, request.path.substr(14));
  return errorResponse(404, "no such endpoint: " + request.path);
}

// rest: "{cluster}/nodes/{node}/{action}"
Response AdminApi::clusterApi(const Request& request, const std::string& rest) const {
  const size_t slash1 = rest.find('/');
  const size_t slash2 = slash1 == std::string::npos ? slash1 : rest.find('/', slash1 + 1);
  const size_t slash3 = rest.rfind('/');
  if (slash2 == std::string::npos || slash3 <= slash2 || rest.compare(slash1, slash2 - slash1 + 1, "/nodes/") != 0) {
    return errorResponse(404, "no such endpoint: " + request.path);
  }
  const std::string cluster = rest.substr(0, slash1);
  const std::string node = rest.substr(slash2 + 1, slash3 - slash2 - 1);
  const std::string verb = rest.substr(slash3 + 1);
  NodeAction action;
  if (verb == "drain") {
    action = NodeAction::Drain;
  } else if (verb == "undrain") {
    action = NodeAction::Undrain;
  } else if (verb == "weight") {
    action = NodeAction::Weight;
  } else {
    return errorResponse(404, "no such node action: " + verb + " (drain, undrain, weight)");
  }
  if (request.method != "POST") return methodNotAllowed("POST");
  Response r = nodeAction(hooks_.clusters(), cluster, node, action, request, hooks_.now_ms());
  if (r.status == 200) {
    spdlog::info("admin_node_action cluster={} node={} action={} body={}", cluster, node, verb,
                 logging::quote(r.body.substr(0, r.body.size() - 1)));
  }
  return r;
}

}  // namespace warren::admin
