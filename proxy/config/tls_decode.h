// The TLS parts of a [[listener]] and a [[cluster]]: [listener.tls], [[listener.route]],
// [cluster.tls]. One key at a time, like decode.h; the checks across keys (version
// order, client_auth and client_ca, routes need TLS, route clusters, duplicate server
// names) are in validate.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/error_list.h"
#include "config/table_reader.h"

namespace warren::config {

// What decoding needs besides the TOML: relative file paths are resolved against
// `base_dir` (the config file's directory, see paths.h).
struct DecodeContext {
  std::string base_dir;
  ErrorList& errors;
  SourceMap& sources;
};

enum class EmptyPath { Refused, MeansNone };

// A file path: relative paths are resolved against the config file's directory, and the
// file must be readable. `ref` is set whenever the key is present. "" is refused, or
// (EmptyPath::MeansNone) returned as "" with no file check.
std::optional<std::string> readPath(TableReader& r, std::string_view key, Need need, EmptyPath empty,
                                    const DecodeContext& context, SourceRef& ref);

// `tls` of a [[listener]] reader: fills `tls` (enabled = true) when the table is there.
void decodeListenerTlsOf(TableReader& listener, ListenerTls& tls, const DecodeContext& context);
// `route` of a [[listener]] reader: one Route per element, so that indices match the paths.
void decodeRoutesOf(TableReader& listener, std::vector<Route>& routes,
                    const DecodeContext& context);
// `tls` of a [[cluster]] reader.
void decodeClusterTlsOf(TableReader& cluster, ClusterTls& tls, const DecodeContext& context);

}  // namespace warren::config
