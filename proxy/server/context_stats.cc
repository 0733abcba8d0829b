#include "server/context_stats.h"

#include "tls/server_context.h"

namespace warren::server {
namespace {

void attachNodeStats(session::RouteTarget& target, session::StatsRegistry& registry) {
  target.node_stats.clear();
  if (!target.cluster) return;
  for (const upstream::Node* node : target.cluster->nodes()) {
    target.node_stats.push_back(registry.node(target.cluster->name(), node->name()));
  }
}

}  // namespace

void attachStats(session::ListenerContext& context, session::StatsRegistry& registry) {
  const config::Listener& listener = *context.listener;
  context.stats = registry.listener(listener.name);
  // HandshakeInfo::route indexes the routes of the TLS context, which a TLS swap may change.
  const config::Listener& routed = context.tls ? context.tls->listener() : listener;
  context.route_stats.clear();
  for (const config::Route& r : routed.routes) {
    const std::string label = r.server_names.empty() ? std::string(kDefaultRouteLabel) : r.server_names.front();
    context.route_stats.push_back(registry.route(listener.name, label, r.cluster));
  }
  context.route_stats.push_back(registry.route(listener.name, kDefaultRouteLabel, listener.cluster));
  attachNodeStats(context.default_route, registry);
  for (auto& target : context.clusters) attachNodeStats(target, registry);
}

}  // namespace warren::server
