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
// With a token, /api/* needs "Authorization: Bearer <token>" (401 otherwise); /metrics,
// /healthz and /readyz stay open unless protect_metrics is set.
#pragma once

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

 private:
  Response metrics() const;
  Response ready() const;
  Response api(const Request& request) const;
  Response clusterApi(const Request& request, const std::string& rest) const;

  Hooks hooks_;
  ApiOptions options_;
  BuildInfo build_;
};

}  // namespace warren::admin
