#include "tls/server_name_router.h"

#include <algorithm>

namespace warren::tls {
namespace {

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool isValidHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;  // empty label (leading dot, "..")
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;  // no trailing dot
}

}  // namespace

bool ServerNameRouter::isValidPattern(std::string_view name) {
  if (name.starts_with("*.")) return isValidHostName(name.substr(2));
  return isValidHostName(name);
}

ServerNameRouter ServerNameRouter::build(const std::vector<config::Route>& routes,
                                         BuildReport& report) {
  ServerNameRouter router;
  auto add = [&](Table& table, std::string name, size_t route, const config::Route& config,
                 std::string_view shown) {
    auto it = std::lower_bound(table.begin(), table.end(), name,
                               [](const auto& entry, const std::string& key) { return entry.first < key; });
    if (it != table.end() && it->first == name) {
      report.error(config.ref,
                   "server name " + std::string(shown) + " is already routed by route[" +
                       std::to_string(it->second) + "]",
                   ".server_names");
      return;
    }
    table.insert(it, {std::move(name), static_cast<int>(route)});
  };
  for (size_t i = 0; i < routes.size(); ++i) {
    for (const std::string& name : routes[i].server_names) {
      if (!isValidPattern(name)) {
        report.error(routes[i].ref,
                     "invalid server name \"" + name +
                         "\": use a host name (rabbit.example.com) or one leading wildcard "
                         "label (*.example.com)",
                     ".server_names");
        continue;
      }
      std::string lower = lowerCase(name);
      if (lower.starts_with("*.")) {
        add(router.wildcard_, lower.substr(2), i, routes[i], name);
      } else {
        add(router.exact_, std::move(lower), i, routes[i], name);
      }
    }
  }
  return router;
}

int ServerNameRouter::find(const Table& table, std::string_view name) {
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it != table.end() && it->first == name) return it->second;
  return -1;
}

ServerNameRouter::Match ServerNameRouter::match(std::string_view server_name) const {
  // A fully qualified name with its trailing dot ("rabbit.example.com.") is the same name.
  if (server_name.ends_with('.')) server_name.remove_suffix(1);
  if (server_name.empty()) return {};
  std::string name = lowerCase(server_name);
  if (int route = find(exact_, name); route >= 0) return {route, MatchKind::Exact};
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0 && dot + 1 < name.size()) {
    if (int route = find(wildcard_, std::string_view(name).substr(dot + 1)); route >= 0) {
      return {route, MatchKind::Wildcard};
    }
  }
  return {};
}

}  // namespace warren::tls
