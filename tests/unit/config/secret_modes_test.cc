// Secret files (TLS keys, the admin token) readable by the group or others are warned
// about, at the key that names them; a private file is not.
#include "config/secret_modes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::CertDir;

constexpr std::string_view kConfig = R"(
[admin]
token_file = "token"
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [{ cert = "ecdsa.crt", key = "ecdsa.key" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)";

std::vector<std::string> warningsOf(const Config& config) {
  std::vector<std::string> out;
  for (const auto& w : secretFileWarnings(config)) out.push_back(w.format());
  return out;
}

// kConfig loaded from `dir` with the key and the token file given these modes.
std::vector<std::string> warningsWithModes(const CertDir& dir, mode_t key_mode, mode_t token_mode) {
  dir.write("token", "s3cret\n");
  EXPECT_EQ(::chmod(dir.file("ecdsa.key").c_str(), key_mode), 0);
  EXPECT_EQ(::chmod(dir.file("token").c_str(), token_mode), 0);
  auto config = dir.loadOk(kConfig);
  return config != nullptr ? warningsOf(*config) : std::vector<std::string>{"not loaded"};
}

TEST(SecretModesTest, KeyAndTokenReadableByOthersOrGroupAreWarnedAboutAtTheirKey) {
  CertDir dir;
  const auto warnings = warningsWithModes(dir, 0644, 0640);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("t.toml:8:"));
  EXPECT_THAT(warnings[0], HasSubstr("listener[0].tls.certificate[0].key: secret file " + dir.file("ecdsa.key") +
                                     " is readable by others (mode 0644)"));
  EXPECT_THAT(warnings[1], HasSubstr("t.toml:2:14: admin.token_file: secret file " + dir.file("token") +
                                     " is readable by its group (mode 0640)"));
}

TEST(SecretModesTest, PrivateFilesGiveNoWarning) {
  CertDir dir;
  EXPECT_THAT(warningsWithModes(dir, 0600, 0400), ElementsAre());
}

}  // namespace
}  // namespace warren::config
