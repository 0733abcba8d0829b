#include "server/systemd_notify.h"

#include <gtest/gtest.h>

#include <cstring>

namespace warren::server::systemd {
namespace {

TEST(SystemdNotify, PathAddress) {
  auto a = parseNotifyAddress("/run/systemd/notify");
  ASSERT_TRUE(a);
  EXPECT_STREQ(a->address.sun_path, "/run/systemd/notify");
  EXPECT_EQ(a->length, offsetof(sockaddr_un, sun_path) + 20);
}

TEST(SystemdNotify, AbstractAddress) {
  auto a = parseNotifyAddress("@warren/notify");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address.sun_path[0], '\0');
  EXPECT_EQ(std::memcmp(a->address.sun_path + 1, "warren/notify", 13), 0);
  EXPECT_EQ(a->length, offsetof(sockaddr_un, sun_path) + 14);  // no terminator
}

TEST(SystemdNotify, RefusedAddresses) {
  EXPECT_FALSE(parseNotifyAddress(""));
  EXPECT_FALSE(parseNotifyAddress("relative/path"));
  EXPECT_FALSE(parseNotifyAddress("/" + std::string(200, 'x')));
}

TEST(SystemdNotify, WatchdogInterval) {
  using std::chrono::microseconds;
  EXPECT_EQ(watchdogInterval(nullptr, nullptr, 10), microseconds(0));
  EXPECT_EQ(watchdogInterval("30000000", nullptr, 10), microseconds(15000000));
  EXPECT_EQ(watchdogInterval("30000000", "10", 10), microseconds(15000000));
  EXPECT_EQ(watchdogInterval("30000000", "11", 10), microseconds(0));  // another process's
  EXPECT_EQ(watchdogInterval("abc", nullptr, 10), microseconds(0));
  EXPECT_EQ(watchdogInterval("0", nullptr, 10), microseconds(0));
}

TEST(SystemdNotify, ReloadingCarriesTheMonotonicTime) {
  const std::string m = reloadingMessage();
  EXPECT_EQ(m.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  EXPECT_GT(std::stoll(m.substr(m.find('=', 12) + 1)), 0);
}

TEST(SystemdNotify, NoSocketIsANoOp) {
  if (enabled()) GTEST_SKIP() << "NOTIFY_SOCKET is set in this environment";
  EXPECT_FALSE(notify("READY=1"));
}

}  // namespace
}  // namespace warren::server::systemd
