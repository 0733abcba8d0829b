#include "config/table_reader.h"

#include <algorithm>

#include "config/duration.h"
#include "config/message.h"

namespace warren::config {

SourcePos positionOf(const toml::node& node) {
  return SourcePos{node.source().begin.line, node.source().begin.column};
}

std::string typeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string path, ErrorList& errors,
                         SourceMap& sources)
    : table_(table), path_(std::move(path)), errors_(errors), sources_(sources) {}

std::string TableReader::keyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

const toml::node* TableReader::node(std::string_view key, Need need) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  const toml::node* found = table_.get(key);
  if (found == nullptr && need == Need::Required) {
    errors_.add(position(), keyPath(key), "missing required key");
  }
  return found;
}

void TableReader::error(const toml::node& at, std::string_view key, std::string message) {
  errors_.add(positionOf(at), keyPath(key), std::move(message));
}

void TableReader::record(std::string_view key, const toml::node& at) {
  sources_.set(keyPath(key), positionOf(at));
}

void TableReader::typeError(const toml::node& at, std::string_view key, std::string_view expected) {
  error(at, key, "expected " + std::string(expected) + ", found " + typeName(at));
}

std::optional<bool> TableReader::readBool(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_boolean()) {
    typeError(*n, key, "a boolean (true or false)");
    return std::nullopt;
  }
  record(key, *n);
  return n->as_boolean()->get();
}

std::optional<std::string> TableReader::readString(std::string_view key, Need need) {
  const toml::node* n = node(key, need);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    typeError(*n, key, "a string");
    return std::nullopt;
  }
  const std::string& value = n->as_string()->get();
  if (need == Need::Required && value.empty()) {
    error(*n, key, "must not be empty");
    return std::nullopt;
  }
  record(key, *n);
  return value;
}

std::optional<std::string> TableReader::readName(std::string_view key) {
  const toml::node* n = node(key, Need::Required);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    typeError(*n, key, "a string");
    return std::nullopt;
  }
  const std::string& value = n->as_string()->get();
  if (value.empty()) {
    error(*n, key, "must not be empty");
    return std::nullopt;
  }
  const bool valid = std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (!valid) {
    error(*n, key, "invalid name " + quote(value) + ": use only letters, digits, '_', '.' and '-'");
    return std::nullopt;
  }
  record(key, *n);
  return value;
}

std::optional<int64_t> TableReader::readInteger(std::string_view key, int64_t min, int64_t max) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_integer()) {
    typeError(*n, key, "an integer");
    return std::nullopt;
  }
  const int64_t value = n->as_integer()->get();
  if (value < min || value > max) {
    error(*n, key,
          "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " +
              std::to_string(value));
    return std::nullopt;
  }
  record(key, *n);
  return value;
}

std::optional<Duration> TableReader::readDuration(std::string_view key, Duration min, Duration max,
                                                  bool whole_seconds) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    typeError(*n, key, "a duration string such as \"10s\"");
    return std::nullopt;
  }
  auto parsed = parseDuration(n->as_string()->get());
  if (!parsed) {
    error(*n, key, parsed.error);
    return std::nullopt;
  }
  const Duration value = *parsed.value;
  if (value < min || value > max) {
    if (min == Duration(1) && value == Duration(0)) {
      error(*n, key, "must be greater than 0s");
    } else if (value < min) {
      error(*n, key,
            "must be at least " + formatDuration(min) + ", found " + formatDuration(value));
    } else {
      error(*n, key, "must be at most " + formatDuration(max) + ", found " + formatDuration(value));
    }
    return std::nullopt;
  }
  if (whole_seconds && value.count() % 1000 != 0) {
    error(*n, key, "must be a whole number of seconds, found " + formatDuration(value));
    return std::nullopt;
  }
  record(key, *n);
  return value;
}

std::optional<uint64_t> TableReader::readSize(std::string_view key, uint64_t min, uint64_t max) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  uint64_t value = 0;
  std::string shown;
  if (n->is_integer()) {
    const int64_t bytes = n->as_integer()->get();
    if (bytes < 0) {
      error(*n, key, "negative size " + std::to_string(bytes) + " is not allowed");
      return std::nullopt;
    }
    value = static_cast<uint64_t>(bytes);
    shown = std::to_string(value);
  } else if (n->is_string()) {
    auto parsed = parseSize(n->as_string()->get());
    if (!parsed) {
      error(*n, key, parsed.error);
      return std::nullopt;
    }
    value = *parsed.value;
    shown = formatSize(value);
  } else {
    typeError(*n, key, "a size (integer bytes or a string such as \"256KiB\")");
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(*n, key,
          "must be between " + formatSize(min) + " and " + formatSize(max) + ", found " + shown);
    return std::nullopt;
  }
  record(key, *n);
  return value;
}

std::optional<size_t> TableReader::readChoice(std::string_view key,
                                              const std::vector<std::string_view>& choices) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  std::string list;
  for (auto choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice);
  if (!n->is_string()) {
    typeError(*n, key, "a string (one of " + list + ")");
    return std::nullopt;
  }
  const std::string& value = n->as_string()->get();
  auto it = std::find(choices.begin(), choices.end(), value);
  if (it == choices.end()) {
    error(*n, key,
          "unknown value " + quote(value) + didYouMean(value, choices, HintStyle::Value) +
              "; expected one of " + list);
    return std::nullopt;
  }
  record(key, *n);
  return static_cast<size_t>(it - choices.begin());
}

std::optional<Address> TableReader::readAddress(std::string_view key, PortZero port_zero) {
  auto endpoint = readEndpointAs(key, port_zero, HostNames::Rejected);
  if (!endpoint) return std::nullopt;
  return endpoint->literal;
}

std::optional<Endpoint> TableReader::readEndpoint(std::string_view key, PortZero port_zero) {
  return readEndpointAs(key, port_zero, HostNames::Allowed);
}

std::optional<Endpoint> TableReader::readEndpointAs(std::string_view key, PortZero port_zero, HostNames host_names) {
  const toml::node* n = node(key, Need::Required);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    typeError(*n, key, "an address string such as \"10.0.0.5:5672\"");
    return std::nullopt;
  }
  auto parsed = parseEndpointText(n->as_string()->get(), port_zero, host_names);
  if (!parsed) {
    error(*n, key, parsed.error);
    return std::nullopt;
  }
  record(key, *n);
  return std::move(*parsed.value);
}

const toml::table* TableReader::readTable(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) {
    typeError(*n, key, "a table");
    return nullptr;
  }
  record(key, *n);
  return n->as_table();
}

const toml::array* TableReader::readArray(std::string_view key, std::string_view form) {
  const toml::node* n = node(key);
  if (n == nullptr) return nullptr;
  if (!n->is_array()) {
    typeError(*n, key, form);
    return nullptr;
  }
  record(key, *n);
  return n->as_array();
}

void TableReader::addMisplacedHint(const std::vector<std::string>& keys, const std::string& where) {
  for (const auto& key : keys) misplaced_.emplace_back(key, where);
}

void TableReader::finish() {
  std::vector<std::string_view> candidates(known_.begin(), known_.end());
  for (const auto& [key, value] : table_) {
    const std::string_view name = key.str();
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
    const std::string shown = keyText(name);
    std::string message = "unknown key " + (shown.front() == '"' ? shown : "'" + shown + "'");
    auto misplaced = std::find_if(misplaced_.begin(), misplaced_.end(),
                                  [&](const auto& hint) { return hint.first == name; });
    if (misplaced != misplaced_.end()) {
      message += " (it belongs in " + misplaced->second + ")";
    } else {
      message += didYouMean(name, candidates);
    }
    errors_.add(positionOf(value), keyPath(shown), std::move(message));
  }
}

}  // namespace warren::config
