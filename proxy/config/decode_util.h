// Small helpers shared by the decode functions (decode.cc, tls_decode.cc).
#pragma once

#include <toml++/toml.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/error_list.h"
#include "config/table_reader.h"

namespace warren::config {

// Durations that must be greater than 0.
inline constexpr Duration kNonZero = Duration(1);

template <class T, class U>
void assign(T& field, const std::optional<U>& value) {
  if (value) field = static_cast<T>(*value);
}

// One of `values`, spelled as toString() spells it.
template <class E, size_t N>
std::optional<E> readEnum(TableReader& reader, std::string_view key,
                          const std::array<E, N>& values) {
  std::vector<std::string_view> names;
  for (E value : values) names.emplace_back(toString(value));
  auto index = reader.readChoice(key, names);
  if (!index) return std::nullopt;
  return values[*index];
}

inline std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// Where a table is, for the model: its position and key path.
inline SourceRef refOf(const TableReader& table) {
  const SourcePos pos = table.position();
  return SourceRef{pos.line, pos.column, table.path()};
}

// The tables of an array of tables; reports elements that are not tables.
template <class F>
void forEachTable(TableReader& parent, const toml::array& array, std::string_view key, F&& visit) {
  for (size_t i = 0; i < array.size(); ++i) {
    const toml::node& element = *array.get(i);
    if (const toml::table* table = element.as_table()) {
      visit(i, *table);
    } else {
      parent.error(element, indexed(key, i), "expected a table, found " + typeName(element));
    }
  }
}

// The keys a decode function reads, found by running it on an empty table.
template <class Model, class Decode>
std::vector<std::string> keysOf(Decode decode) {
  static const toml::table empty;
  ErrorList ignored("");
  SourceMap unused;
  TableReader reader(empty, "", ignored, unused);
  Model model;
  decode(reader, model, ignored, unused);
  return reader.knownKeys();
}

}  // namespace warren::config
