#include "support/temp_config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace warren::test {

TempConfig::TempConfig() {
  char dir[] = "/tmp/warren-reload-XXXXXX";
  dir_ = ::mkdtemp(dir);
  path_ = dir_ + "/warren.toml";
}

TempConfig::~TempConfig() { std::filesystem::remove_all(dir_); }

void TempConfig::write(const std::string& text) const {
  const std::string tmp = path_ + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path_);
}

}  // namespace warren::test
