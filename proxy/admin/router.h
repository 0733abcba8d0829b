// AdminApi: every admin endpoint as a function of a Request, without sockets.
//
//   GET  /metrics                                        Prometheus text format
//   GET  /healthz                                        200 "ok" while the process runs
//   GET  /readyz                                         200, or 503 {"error": why not}
//   GET  /api/clusters                                   clusters and node state (JSON)
//   POST /api/clusters/{cluster}/nodes/{node}/drain      no new connections to the node
//   POST /api/clusters/{cluster}/nodes/{node}/undrain
//   POST /api/clusters/{cluster}/nodes/{node}/weight     {"weight": N} or ?weight=N, 1..1000
//   POST /api/reload                                     re-read the config file
//
// With a token, /api/* and every state-changing request (any method but GET and HEAD) need
// "Authorization: Bearer <token>" (401 otherwise); /metrics, /healthz and /readyz stay open
// unless protect_metrics is set. Without a token, a state-changing request is accepted only
// from a loopback peer and only without an Origin header (403 otherwise): a web page the
// operator's browser opens cannot post to a token-less endpoint on localhost.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "admin/hooks.h"
#include "admin/http.h"
#include "admin/metrics.h"

namespace warren::admin {

struct ApiOptions {
  std::string token;            // "" = no token required
  bool protect_metrics = false;
};

class AdminApi {
 public:
  AdminApi(Hooks hooks, ApiOptions options);

  // Thread-safe (the HTTP server calls it from its own threads).
  Response handle(const Request& request) const;
  // The refusal (401 or 403) of a request that may not go further, from its method, path and
  // headers alone; nullopt when it may. The HTTP server calls it before reading any body.
  std::optional<Response> refusal(const Request& request) const;
  // The probes and the scrape (GET or HEAD of /healthz, /readyz, /metrics): quick, read-only,
  // never waiting on a reload; the HTTP server answers them on its connection thread.
  static bool answersAtOnce(const Request& request);
  // Thread-safe: the token and protect_metrics from now on (a reload of [admin]).
  void setOptions(ApiOptions options);

 private:
  std::shared_ptr<const ApiOptions> options() const;
  static std::optional<Response> refusal(const Request& request, const ApiOptions& options);
  Response metrics() const;
  Response ready() const;
  Response api(const Request& request) const;
  Response clusterApi(const Request& request, const std::string& rest) const;

  Hooks hooks_;
  mutable std::mutex options_mutex_;
  std::shared_ptr<const ApiOptions> options_;  // guarded by options_mutex_
  BuildInfo build_;
};

}  // namespace warren::admin
