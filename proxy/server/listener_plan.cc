#include "server/listener_plan.h"

namespace warren::server {

ListenerPlan planListeners(const std::vector<config::Listener>& before, const std::vector<config::Listener>& after) {
  ListenerPlan plan;
  std::vector<bool> kept_old(before.size(), false);
  for (size_t n = 0; n < after.size(); ++n) {
    bool kept = false;
    for (size_t o = 0; o < before.size(); ++o) {
      // The configured address, not the bound one: "127.0.0.1:0" keeps the port the kernel
      // chose at start rather than taking a new one at every reload.
      if (before[o].name == after[n].name && before[o].address == after[n].address) {
        plan.kept.push_back({o, n});
        kept_old[o] = true;
        kept = true;
        break;
      }
    }
    if (!kept) plan.added.push_back(n);
  }
  for (size_t o = 0; o < before.size(); ++o) {
    if (!kept_old[o]) plan.removed.push_back(o);
  }
  return plan;
}

}  // namespace warren::server
