// A configuration file in a fresh temporary directory, removed with it.
#pragma once

#include <string>

namespace warren::test {

class TempConfig {
 public:
  TempConfig();
  ~TempConfig();
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }
  // Written to a temporary name and renamed, like an editor or a config manager does.
  void write(const std::string& text) const;

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace warren::test
