// TableReader: typed, checked access to the keys of one TOML table. Every read*()
// registers its key as known; finish() then reports the keys nobody asked for as
// "unknown key" with the closest known key as a hint. A value that is present and
// valid is returned and its position recorded in the SourceMap; a value that is
// present but wrong is reported and std::nullopt returned; an absent value is
// std::nullopt (reported only when Need::Required), so the model default stays.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.h"
#include "config/address_text.h"
#include "config/config.h"
#include "config/error_list.h"

namespace warren::config {

enum class Need { Optional, Required };

SourcePos positionOf(const toml::node& node);
// "a string", "an integer", "a floating-point number", "a boolean", "a table", ...
std::string typeName(const toml::node& node);

class TableReader {
 public:
  // `path` is this table's key path ("" for the root, "listener[0]", "listener[0].tcp").
  TableReader(const toml::table& table, std::string path, ErrorList& errors, SourceMap& sources);

  const std::string& path() const { return path_; }
  SourcePos position() const { return positionOf(table_); }
  std::string keyPath(std::string_view key) const;

  // The raw node of `key` (registered as known), or nullptr when absent; reports a
  // missing required key at the table's position.
  const toml::node* node(std::string_view key, Need need = Need::Optional);

  std::optional<bool> readBool(std::string_view key);
  std::optional<std::string> readString(std::string_view key, Need need = Need::Optional);
  // A non-empty string of [A-Za-z0-9_.-]; always required.
  std::optional<std::string> readName(std::string_view key);
  std::optional<int64_t> readInteger(std::string_view key, int64_t min, int64_t max);
  // Duration string within [min, max]; `whole_seconds` for values given to the kernel in seconds.
  std::optional<Duration> readDuration(std::string_view key, Duration min, Duration max,
                                       bool whole_seconds = false);
  // Integer bytes or a size string, within [min, max].
  std::optional<uint64_t> readSize(std::string_view key, uint64_t min, uint64_t max);
  // One of `choices`; returns its index.
  std::optional<size_t> readChoice(std::string_view key,
                                   const std::vector<std::string_view>& choices);
  // "ip:port"; always required.
  std::optional<Address> readAddress(std::string_view key, PortZero port_zero);
  // "ip:port" or "host:port"; always required.
  std::optional<Endpoint> readEndpoint(std::string_view key, PortZero port_zero);
  // An optional sub-table.
  const toml::table* readTable(std::string_view key);
  // An array whose elements should be tables ([[header]] or [{...}, ...]); `form`
  // names the expected syntax in the type error.
  const toml::array* readArray(std::string_view key, std::string_view form);

  // Reports a problem with the value of `key` (or, with an empty key, with this table).
  void error(const toml::node& at, std::string_view key, std::string message);
  // Records `key` as present and valid.
  void record(std::string_view key, const toml::node& at);
  // Keys registered so far.
  const std::vector<std::string>& knownKeys() const { return known_; }
  // An unknown key that is one of `keys` gets "(it belongs in <where>)" instead of a
  // spelling hint. This catches the usual TOML slip: a key of the enclosing table that
  // is written after a sub-table header lands in the sub-table.
  void addMisplacedHint(const std::vector<std::string>& keys, const std::string& where);
  // Reports every key of the table that no read*() / node() asked for.
  void finish();

 private:
  std::optional<Endpoint> readEndpointAs(std::string_view key, PortZero port_zero, HostNames host_names);
  void typeError(const toml::node& at, std::string_view key, std::string_view expected);

  const toml::table& table_;
  std::string path_;
  ErrorList& errors_;
  SourceMap& sources_;
  std::vector<std::string> known_;
  std::vector<std::pair<std::string, std::string>> misplaced_;  // key, where it belongs
};

}  // namespace warren::config
