#include "admin/reconfigure.h"

#include <spdlog/spdlog.h>

#include "admin/startup.h"

namespace warren::admin {
namespace {

std::string shown(const config::Admin& a) { return a.enabled ? a.address.toString() : std::string("off"); }

}  // namespace

std::variant<std::string, AdminReconfigurer::Apply> AdminReconfigurer::check(const config::Config& next) {
  const config::Admin& wanted = next.admin;
  if (running_.enabled != wanted.enabled || (wanted.enabled && !(running_.address == wanted.address))) {
    return "admin.address cannot change by a reload (running: " + shown(running_) + ", the file says " +
           shown(wanted) + "): restart Warren to apply it; nothing was applied";
  }
  std::string error;
  std::optional<ApiOptions> options = wanted.enabled ? apiOptionsFor(wanted, error) : std::nullopt;
  if (!error.empty()) return error + "; nothing was applied";
  return [this, options, wanted] {
    const bool changed = running_.token_file != wanted.token_file || running_.protect_metrics != wanted.protect_metrics;
    running_ = wanted;
    if (api_ && options) api_->setOptions(*options);
    if (changed) {
      spdlog::info("admin_reconfigured token={} protect_metrics={}", wanted.token_file.empty() ? "none" : "file",
                   wanted.protect_metrics);
    }
  };
}

}  // namespace warren::admin
