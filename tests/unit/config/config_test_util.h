// Helpers shared by the config loader tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
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

// A fresh directory under ::testing::TempDir() with placeholder PEM files (the loader
// only checks that files are readable), removed with its contents when destroyed.
class CertDir {
 public:
  static inline const std::vector<std::string> kDefaultFiles{"ecdsa.crt", "ecdsa.key", "rsa.crt",
                                                             "rsa.key", "ca.crt"};

  explicit CertDir(const std::vector<std::string>& files = kDefaultFiles) {
    std::string name = ::testing::TempDir() + "warren_config_XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << name;
    path_ = name;
    for (const auto& file : files) write(file, "-----BEGIN PLACEHOLDER-----\n-----END PLACEHOLDER-----\n");
  }
  ~CertDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + relative
  std::string file(std::string_view relative) const { return path_ + "/" + std::string(relative); }
  // Writes `text` to file(relative), creating the directories on the way.
  void write(std::string_view relative, std::string_view text) const {
    const std::filesystem::path target = file(relative);
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target) << text;
  }

  // Loads `text` as if it were the file path() + "/" + `name` (so relative paths are
  // resolved against path()). Messages are formatted with that file shown as `name`
  // and the directory anywhere else as "$DIR".
  std::vector<std::string> errorsOf(std::string_view text, std::string_view name = "t.toml") const {
    std::vector<std::string> out;
    for (const auto& e : loadString(doc(text), file(name)).errors) {
      std::string line = e.format();
      const std::string source = file(name);
      if (line.compare(0, source.size(), source) == 0) line.replace(0, source.size(), name);
      for (size_t at = line.find(path_); at != std::string::npos; at = line.find(path_, at)) {
        line.replace(at, path_.size(), "$DIR");
      }
      out.push_back(std::move(line));
    }
    return out;
  }

  // Same, expecting no errors.
  ConfigConstSharedPtr loadOk(std::string_view text, std::string_view name = "t.toml") const {
    auto result = loadString(doc(text), file(name));
    std::string all;
    for (const auto& e : result.errors) all += e.format() + "\n";
    EXPECT_TRUE(result.ok()) << all;
    return result.config;
  }

 private:
  std::string path_;
};

}  // namespace warren::config::testing
