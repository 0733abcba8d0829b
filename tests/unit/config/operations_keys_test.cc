// [global] keys for operations: log_format, access_log_file, takeover_socket.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace warren::config {
namespace {

using testing::errorsOf;
using testing::kValidTail;
using testing::loadOk;

std::string withTail(std::string_view text) { return std::string(text) + std::string(kValidTail); }

TEST(OperationsKeysTest, Defaults) {
  auto config = loadOk(withTail("\n[global]\n"));
  EXPECT_EQ(config->global.log_format, LogFormat::Text);
  EXPECT_EQ(config->global.access_log_file, "");
  EXPECT_EQ(config->global.takeover_socket, "");
  EXPECT_STREQ(toString(LogFormat::Text), "text");
  EXPECT_STREQ(toString(LogFormat::Json), "json");
}

TEST(OperationsKeysTest, ValuesAndPathsResolvedAgainstTheConfigDirectory) {
  auto config = loadOk(withTail(R"(
[global]
log_format = "json"
access_log_file = "/tmp/warren-access.log"
takeover_socket = "/tmp/warren.takeover"
)"));
  EXPECT_EQ(config->global.log_format, LogFormat::Json);
  EXPECT_EQ(config->global.access_log_file, "/tmp/warren-access.log");
  EXPECT_EQ(config->global.takeover_socket, "/tmp/warren.takeover");
  auto relative = loadString(withTail("[global]\naccess_log_file = \"a.log\"\n"), "/tmp/t.toml");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative.config->global.access_log_file, "/tmp/a.log");
}

TEST(OperationsKeysTest, Errors) {
  EXPECT_EQ(errorsOf(withTail(R"(
[global]
log_format = "jsn"
)")),
            std::vector<std::string>{"t.toml:2:14: global.log_format: unknown value \"jsn\" (did you mean \"json\"?); "
                                     "expected one of text, json"});
  EXPECT_EQ(errorsOf(withTail(R"(
[global]
access_log_file = "/nonexistent-dir/access.log"
)")),
            std::vector<std::string>{
                "t.toml:2:19: global.access_log_file: directory \"/nonexistent-dir\" does not exist"});
  EXPECT_EQ(errorsOf(withTail(R"(
[global]
takeover_socket = 5
)")).size(),
            1u);
}

}  // namespace
}  // namespace warren::config
