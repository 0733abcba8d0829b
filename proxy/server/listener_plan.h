// Which listeners a reload keeps, adds and removes: a pure function of the two configs.
//
//   same name, same configured address → kept: the workers keep their sockets and swap in
//                                         a new ListenerContext (routes, TLS, options)
//   name only in the new config        → added: new SO_REUSEPORT sockets are bound
//   name only in the old config        → removed: its sockets close, open connections stay
//   same name, other address           → rebound: removed, then added
#pragma once

#include <cstddef>
#include <vector>

#include "config/config.h"

namespace warren::server {

struct ListenerPlan {
  struct Kept {
    size_t old_index;
    size_t new_index;
  };
  std::vector<Kept> kept;
  std::vector<size_t> added;    // indexes into the new config's listeners
  std::vector<size_t> removed;  // indexes into the old config's listeners
};

ListenerPlan planListeners(const std::vector<config::Listener>& before, const std::vector<config::Listener>& after);

}  // namespace warren::server
