// Points a ListenerContext at one worker's labeled counters (session/session_stats.h):
// its listener block, one block per SNI route, and one per node of every route target.
// Call it on every context a worker will use: at start, after a TLS swap (the routes come
// from the TLS context), and for contexts built by a reload.
#pragma once

#include "session/session_host.h"
#include "session/session_stats.h"

namespace warren::server {

// The route's metric label: its first server name, or "default" for the listener's cluster.
inline constexpr const char* kDefaultRouteLabel = "default";

void attachStats(session::ListenerContext& context, session::StatsRegistry& registry);

}  // namespace warren::server
