// SNI → route. Exact names beat wildcards beat the default route. "*.example.com" matches
// exactly one more label: "a.example.com", not "example.com" nor "a.b.example.com".
// Matching ignores ASCII case. Immutable after build(); match() is safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "tls/build_report.h"

namespace warren::tls {

class ServerNameRouter {
 public:
  enum class MatchKind { Default, Exact, Wildcard };
  struct Match {
    int route = -1;  // index into the routes given to build(); -1 = default route
    MatchKind kind = MatchKind::Default;
  };

  ServerNameRouter() = default;

  // From a listener's routes. A malformed server name ("", "a..b", "*", "a.*.b", "*b.c") or a
  // name routed twice is reported to `report` (at the route's ref, key ".server_names") and
  // left out.
  static ServerNameRouter build(const std::vector<config::Route>& routes, BuildReport& report);

  // The route for a server name as sent by a client (any case; one trailing dot ignored).
  // An empty name → Default.
  Match match(std::string_view server_name) const;

  // Whether `name` is a well-formed exact name or "*.suffix" pattern (config syntax).
  static bool isValidPattern(std::string_view name);

 private:
  using Table = std::vector<std::pair<std::string, int>>;  // sorted by name
  static int find(const Table& table, std::string_view name);

  Table exact_;
  Table wildcard_;  // keyed by the suffix after "*."
};

}  // namespace warren::tls
