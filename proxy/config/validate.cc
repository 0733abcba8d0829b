#include "config/validate.h"

#include <string>
#include <vector>

#include "config/duration.h"
#include "config/message.h"

namespace warren::config {
namespace {

constexpr SourcePos kDocumentStart{1, 1};

std::string indexed(const char* section, size_t i) {
  return std::string(section) + "[" + std::to_string(i) + "]";
}

// "at least one [[listener]] is required", at the empty array or the document start.
// Not when the key is there with an error of its own (`listener = 1`).
void requireSection(size_t count, const char* section, const SourceMap& sources,
                    ErrorList& errors) {
  if (count != 0 || errors.hasError(section)) return;
  errors.add(sources.find(section).value_or(kDocumentStart), section,
             std::string("at least one [[") + section + "]] is required");
}

template <class Item>
void checkUniqueNames(const std::vector<Item>& items, const char* section, const SourceMap& sources,
                      ErrorList& errors) {
  for (size_t i = 0; i < items.size(); ++i) {
    const auto pos = sources.find(indexed(section, i) + ".name");
    if (!pos) continue;
    for (size_t j = 0; j < i; ++j) {
      if (sources.has(indexed(section, j) + ".name") && items[j].name == items[i].name) {
        errors.add(*pos, indexed(section, i) + ".name",
                   std::string("duplicate ") + section + " name " + quote(items[i].name) +
                       " (also used by " + indexed(section, j) + ")");
        break;
      }
    }
  }
}

void checkListenerClusters(const Config& config, const SourceMap& sources, ErrorList& errors) {
  // A cluster whose name is missing or wrong could be the one meant: say nothing then.
  if (config.clusters.empty()) return;
  std::vector<std::string_view> names;
  for (size_t k = 0; k < config.clusters.size(); ++k) {
    if (!sources.has(indexed("cluster", k) + ".name")) return;
    names.emplace_back(config.clusters[k].name);
  }
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const std::string key = indexed("listener", i) + ".cluster";
    const auto pos = sources.find(key);
    if (!pos) continue;
    const std::string& wanted = config.listeners[i].cluster;
    if (config.findCluster(wanted) == nullptr) {
      errors.add(*pos, key, "no [[cluster]] is named " + quote(wanted) + didYouMean(wanted, names, HintStyle::Value));
    }
  }
}

void checkListenerAddresses(const Config& config, const SourceMap& sources, ErrorList& errors) {
  const auto& listeners = config.listeners;
  for (size_t i = 0; i < listeners.size(); ++i) {
    const std::string key = indexed("listener", i) + ".address";
    const auto pos = sources.find(key);
    // Port 0 asks the kernel for a free port: any number of those can coexist.
    if (!pos || listeners[i].address.port() == 0) continue;
    for (size_t j = 0; j < i; ++j) {
      if (sources.has(indexed("listener", j) + ".address") &&
          listeners[j].address == listeners[i].address) {
        errors.add(*pos, key,
                   "address " + listeners[i].address.toString() + " is already used by " +
                       indexed("listener", j));
        break;
      }
    }
  }
}

void checkNodes(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& nodes = config.clusters[c].nodes;
    const std::string cluster = indexed("cluster", c);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const std::string key = cluster + "." + indexed("node", i) + ".address";
      const auto pos = sources.find(key);
      if (!pos) continue;
      for (size_t j = 0; j < i; ++j) {
        if (sources.has(cluster + "." + indexed("node", j) + ".address") &&
            nodes[j].address == nodes[i].address) {
          errors.add(*pos, key,
                     "duplicate node address " + nodes[i].address.toString() + " (also " + cluster +
                         "." + indexed("node", j) + ")");
          break;
        }
      }
    }
  }
}

void checkWatermarks(const Global& global, const SourceMap& sources, ErrorList& errors) {
  const std::string low_key = "global.buffer_low_watermark";
  const std::string high_key = "global.buffer_high_watermark";
  // A value with its own error plays no part; one left out keeps its default.
  if (errors.hasError(low_key) || errors.hasError(high_key)) return;
  if (global.buffer_low_watermark < global.buffer_high_watermark) return;
  // Report at the value that was written (the low one when both were).
  const bool low_written = sources.has(low_key);
  const std::string& key = low_written ? low_key : high_key;
  errors.add(sources.find(key).value_or(kDocumentStart), key,
             "buffer_low_watermark (" + formatSize(global.buffer_low_watermark) +
                 ") must be less than buffer_high_watermark (" +
                 formatSize(global.buffer_high_watermark) + ")");
}

}  // namespace

void validateConfig(const Config& config, const SourceMap& sources, ErrorList& errors) {
  requireSection(config.listeners.size(), "listener", sources, errors);
  requireSection(config.clusters.size(), "cluster", sources, errors);
  checkUniqueNames(config.listeners, "listener", sources, errors);
  checkUniqueNames(config.clusters, "cluster", sources, errors);
  checkListenerClusters(config, sources, errors);
  checkListenerAddresses(config, sources, errors);
  checkNodes(config, sources, errors);
  checkWatermarks(config.global, sources, errors);
}

}  // namespace warren::config
