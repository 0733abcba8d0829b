#include "config/validate.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
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

// Reports every `key_of(i)` whose value `text_of(i)` an earlier item already has.
// Only items with that key in `sources` take part. O(n log n).
template <class KeyOf, class TextOf, class Message>
void checkUnique(size_t count, const SourceMap& sources, ErrorList& errors, KeyOf key_of,
                 TextOf text_of, Message message) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < count; ++i) {
    const std::string key = key_of(i);
    const auto pos = sources.find(key);
    if (!pos) continue;
    auto [it, inserted] = first.emplace(text_of(i), i);
    if (!inserted) errors.add(*pos, key, message(i, it->second));
  }
}

template <class Item>
void checkUniqueNames(const std::vector<Item>& items, const char* section, const SourceMap& sources,
                      ErrorList& errors) {
  checkUnique(
      items.size(), sources, errors, [&](size_t i) { return indexed(section, i) + ".name"; },
      [&](size_t i) { return items[i].name; },
      [&](size_t i, size_t first) {
        return std::string("duplicate ") + section + " name " + quote(items[i].name) +
               " (also used by " + indexed(section, first) + ")";
      });
}

void checkListenerClusters(const Config& config, const SourceMap& sources, ErrorList& errors) {
  // A cluster whose name is missing or wrong could be the one meant: say nothing then.
  if (config.clusters.empty()) return;
  std::set<std::string_view> known;
  std::vector<std::string_view> names;
  for (size_t k = 0; k < config.clusters.size(); ++k) {
    if (!sources.has(indexed("cluster", k) + ".name")) return;
    known.insert(config.clusters[k].name);
    names.emplace_back(config.clusters[k].name);
  }
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const std::string key = indexed("listener", i) + ".cluster";
    const auto pos = sources.find(key);
    if (!pos) continue;
    const std::string& wanted = config.listeners[i].cluster;
    if (known.count(wanted) == 0) {
      errors.add(
          *pos, key,
          "no [[cluster]] is named " + quote(wanted) + didYouMean(wanted, names, HintStyle::Value));
    }
  }
}

void checkListenerAddresses(const Config& config, const SourceMap& sources, ErrorList& errors) {
  const auto& listeners = config.listeners;
  // Port 0 asks the kernel for a free port: any number of those can coexist, so each
  // gets a key of its own.
  checkUnique(
      listeners.size(), sources, errors,
      [&](size_t i) { return indexed("listener", i) + ".address"; },
      [&](size_t i) {
        const Address& a = listeners[i].address;
        return a.port() == 0 ? "#" + std::to_string(i) : a.toString();
      },
      [&](size_t i, size_t first) {
        return "address " + listeners[i].address.toString() + " is already used by " +
               indexed("listener", first);
      });
}

void checkNodes(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& nodes = config.clusters[c].nodes;
    const std::string cluster = indexed("cluster", c);
    checkUnique(
        nodes.size(), sources, errors,
        [&](size_t i) { return cluster + "." + indexed("node", i) + ".address"; },
        [&](size_t i) { return nodes[i].address.toString(); },
        [&](size_t i, size_t first) {
          return "duplicate node address " + nodes[i].address.toString() + " (also " + cluster +
                 "." + indexed("node", first) + ")";
        });
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
