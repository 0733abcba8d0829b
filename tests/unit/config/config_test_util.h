// Helpers shared by the config loader tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

namespace warren::config::testing {

// Raw strings in the tests start with a newline so that the TOML lines up with the
// expected line numbers: doc(R"(
// [global]          <- line 1
// )")
inline std::string doc(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

// Every error of loading `text` as "t.toml", formatted.
inline std::vector<std::string> errorsOf(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : loadString(doc(text), "t.toml").errors) out.push_back(e.format());
  return out;
}

// Loads `text`, expecting no errors.
inline ConfigConstSharedPtr loadOk(std::string_view text) {
  auto result = loadString(doc(text), "t.toml");
  std::string all;
  for (const auto& e : result.errors) all += e.format() + "\n";
  EXPECT_TRUE(result.ok()) << all;
  return result.config;
}

// A valid listener + cluster, to be appended to documents that test something else.
inline constexpr std::string_view kValidTail = R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)";

}  // namespace warren::config::testing
