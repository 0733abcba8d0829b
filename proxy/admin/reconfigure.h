// [admin] in a reload: applied, or the whole reload refused with a message that says why —
// never silently ignored (issue 12). The token (re-read from its file) and protect_metrics
// take effect on the running endpoint at once; `enabled` and `address` would need a new
// listening socket while the old one may be answering, so a reload that changes them is
// refused ("restart Warren to apply it") and nothing of it is applied, as a reload that
// fails anywhere else.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "admin/router.h"
#include "config/config.h"

namespace warren::admin {

class AdminReconfigurer {
 public:
  using Apply = std::function<void()>;

  // `api`: the running endpoint's, or nullptr when it is off or could not start.
  AdminReconfigurer(config::Admin running, std::shared_ptr<AdminApi> api)
      : running_(std::move(running)), api_(std::move(api)) {}

  // For server::Reloader::setCheck: the error that refuses the reload, or what applies
  // `next`'s [admin] once the rest of the reload succeeded. Calls are serialised by the
  // Reloader (check, then at most one apply).
  std::variant<std::string, Apply> check(const config::Config& next);

 private:
  config::Admin running_;
  std::shared_ptr<AdminApi> api_;
};

}  // namespace warren::admin
