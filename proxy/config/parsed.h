// Parsed<T>: the value read from a piece of config text, or why it could not be read.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace warren::config {

template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // set when value is empty

  static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
  static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
  explicit operator bool() const { return value.has_value(); }
};

}  // namespace warren::config
