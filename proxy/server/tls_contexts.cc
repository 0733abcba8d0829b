#include "server/tls_contexts.h"

#include <variant>

namespace warren::server {

namespace {

template <class Context, class Source, class Extra>
std::shared_ptr<const Context> buildOne(const Source& source, const std::string& file, const Extra& extra,
                                        std::vector<config::ConfigError>& errors) {
  auto built = Context::build(source, file, extra);
  if (auto* errs = std::get_if<std::vector<config::ConfigError>>(&built)) {
    errors.insert(errors.end(), errs->begin(), errs->end());
    return nullptr;
  }
  return std::get<std::shared_ptr<const Context>>(built);
}

}  // namespace

std::vector<config::ConfigError> buildTlsContexts(const config::Config& config, TlsContexts& out,
                                                  std::vector<config::ConfigError>* warnings) {
  tls::ServerContextOptions options;
  options.warnings = warnings;
  std::vector<config::ConfigError> errors;
  out.listeners.assign(config.listeners.size(), nullptr);
  out.clusters.assign(config.clusters.size(), nullptr);
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    if (config.listeners[i].tls.enabled) {
      out.listeners[i] = buildOne<tls::ServerContext>(config.listeners[i], config.source, options, errors);
    }
  }
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    if (config.clusters[i].tls.enabled) {
      out.clusters[i] = buildOne<tls::ClientContext>(config.clusters[i].tls, config.source, warnings, errors);
    }
  }
  return errors;
}

}  // namespace warren::server
