// The [admin] table: defaults, the ways to turn it off, the token file, and every error
// with its file:line:column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/secret_file.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::CertDir;
using testing::errorsOf;
using testing::kValidTail;
using testing::loadOk;

std::string withTail(const std::string& admin_lines) { return "[admin]\n" + admin_lines + std::string(kValidTail); }

TEST(AdminConfigTest, DefaultsToLoopback9090WithoutToken) {
  auto config = loadOk(kValidTail);
  EXPECT_TRUE(config->admin.enabled);
  EXPECT_EQ(config->admin.address.toString(), "127.0.0.1:9090");
  EXPECT_EQ(config->admin.token_file, "");
  EXPECT_FALSE(config->admin.protect_metrics);
}

TEST(AdminConfigTest, AddressAndSwitches) {
  auto config = loadOk(withTail("address = \"[::1]:0\"\nprotect_metrics = true\n"));
  EXPECT_EQ(config->admin.address.toString(), "[::1]:0");
  EXPECT_TRUE(config->admin.protect_metrics);
  EXPECT_FALSE(loadOk(withTail("enabled = false\n"))->admin.enabled);
  EXPECT_FALSE(loadOk(withTail("address = \"\"\n"))->admin.enabled);
}

TEST(AdminConfigTest, KeyErrors) {
  EXPECT_THAT(errorsOf(withTail("address = \"localhost:9090\"\n")),
              ElementsAre(::testing::StartsWith("t.toml:2:11: admin.address: ")));
  EXPECT_THAT(errorsOf(withTail("address = 9090\n")),
              ElementsAre("t.toml:2:11: admin.address: expected an address string such as \"10.0.0.5:5672\", "
                          "found an integer"));
  EXPECT_THAT(errorsOf(withTail("enabled = \"no\"\n")),
              ElementsAre("t.toml:2:11: admin.enabled: expected a boolean (true or false), found a string"));
  EXPECT_THAT(errorsOf(withTail("protect_metric = true\n")),
              ElementsAre("t.toml:2:18: admin.protect_metric: unknown key 'protect_metric' (did you mean "
                          "'protect_metrics'?)"));
  EXPECT_THAT(errorsOf("admin = 1\n" + std::string(kValidTail)),
              ElementsAre("t.toml:1:9: admin: expected a table, found an integer"));
}

TEST(AdminConfigTest, TokenFileResolvedAgainstTheConfigDirectory) {
  CertDir dir(std::vector<std::string>{});
  dir.write("secrets/admin.token", "  s3cret-token\n");
  auto config = dir.loadOk(withTail("token_file = \"secrets/admin.token\"\n"));
  EXPECT_EQ(config->admin.token_file, dir.file("secrets/admin.token"));
  EXPECT_EQ(readSecretFile(config->admin.token_file).value, "s3cret-token");
}

TEST(AdminConfigTest, TokenFileMissingOrEmpty) {
  CertDir dir(std::vector<std::string>{});
  EXPECT_THAT(dir.errorsOf(withTail("token_file = \"nope.token\"\n")),
              ElementsAre("t.toml:2:14: admin.token_file: cannot read file \"$DIR/nope.token\": "
                          "No such file or directory"));
  dir.write("empty.token", " \n\n");
  EXPECT_THAT(dir.errorsOf(withTail("token_file = \"empty.token\"\n")),
              ElementsAre("t.toml:2:14: admin.token_file: file \"$DIR/empty.token\" is empty"));
  dir.write("big.token", std::string(kMaxSecretBytes + 1, 'x'));
  EXPECT_THAT(dir.errorsOf(withTail("token_file = \"big.token\"\n")),
              ElementsAre("t.toml:2:14: admin.token_file: file \"$DIR/big.token\" is larger than 4096 bytes"));
}

}  // namespace
}  // namespace warren::config
