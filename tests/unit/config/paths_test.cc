// resolvePath / baseDirectoryOf / whyUnreadable: how the loader finds certificate files.
#include "config/paths.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using testing::CertDir;

TEST(ResolvePathTest, RelativePathsJoinTheBaseDirectory) {
  EXPECT_EQ(resolvePath("/etc/warren", "tls/a.crt"), "/etc/warren/tls/a.crt");
  EXPECT_EQ(resolvePath("/etc/warren/", "a.crt"), "/etc/warren/a.crt");
  EXPECT_EQ(resolvePath("/etc/warren", "./tls//a.crt"), "/etc/warren/tls/a.crt");
  // ".." stays: the kernel resolves it after any symbolic link before it.
  EXPECT_EQ(resolvePath("/etc/warren", "../shared/ca.crt"), "/etc/warren/../shared/ca.crt");
  EXPECT_EQ(resolvePath("/", "a.crt"), "/a.crt");
  EXPECT_EQ(resolvePath("config", "a.crt"), "config/a.crt");
  EXPECT_EQ(resolvePath("", "a.crt"), "a.crt");
}

TEST(ResolvePathTest, AbsolutePathsStayAsWritten) {
  EXPECT_EQ(resolvePath("/etc/warren", "/srv/tls/a.crt"), "/srv/tls/a.crt");
  EXPECT_EQ(resolvePath("/etc/warren", "/srv//tls/./a.crt"), "/srv//tls/./a.crt");
}

TEST(BaseDirectoryTest, IsTheAbsoluteDirectoryOfTheConfigFile) {
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(baseDirectoryOf("/etc/warren/warren.toml"), "/etc/warren");
  EXPECT_EQ(baseDirectoryOf("warren.toml"), cwd);
  EXPECT_EQ(baseDirectoryOf("config/warren.toml"), cwd + "/config");
  EXPECT_EQ(baseDirectoryOf("./config/warren.toml"), cwd + "/config");
}

TEST(WhyUnreadableTest, NamesTheProblem) {
  CertDir dir({"a.crt"});
  EXPECT_EQ(whyUnreadable(dir.file("a.crt")), "");
  EXPECT_EQ(whyUnreadable(dir.file("b.crt")), "No such file or directory");
  EXPECT_EQ(whyUnreadable(dir.file("a.crt/x")), "Not a directory");
  EXPECT_EQ(whyUnreadable(dir.path()), "Is a directory");
  EXPECT_EQ(whyUnreadable("/dev/null"), "not a regular file");
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  EXPECT_EQ(whyUnreadable(dir.file("fifo")), "not a regular file");
  // Symbolic links are followed.
  ASSERT_EQ(::symlink(dir.file("a.crt").c_str(), dir.file("link.crt").c_str()), 0);
  EXPECT_EQ(whyUnreadable(dir.file("link.crt")), "");
  ASSERT_EQ(::symlink(dir.file("gone.crt").c_str(), dir.file("dangling.crt").c_str()), 0);
  EXPECT_EQ(whyUnreadable(dir.file("dangling.crt")), "No such file or directory");
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(dir.file("a.crt").c_str(), 0), 0);
    EXPECT_EQ(whyUnreadable(dir.file("a.crt")), "Permission denied");
  }
}

TEST(WhyUnreadableTest, MessageShowsTheWholePath) {
  const std::string path = "/" + std::string(100, 'd') + "/a.crt";
  EXPECT_EQ(cannotReadMessage(path, "No such file or directory"),
            "cannot read file \"" + path + "\": No such file or directory");
}

}  // namespace
}  // namespace warren::config
