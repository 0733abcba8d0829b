// isLoopback: which peers count as "this host" for the token-less rule (issue 12).
#include <gtest/gtest.h>

#include "admin/startup.h"

namespace warren::admin {
namespace {

TEST(Loopback, V4V6AndV4MappedLoopbackOnly) {
  for (const char* a : {"127.0.0.1:1", "127.255.0.9:1", "[::1]:1", "[::ffff:127.0.0.1]:1"}) {
    EXPECT_TRUE(isLoopback(*Address::parse(a))) << a;
  }
  for (const char* a : {"10.0.0.1:1", "128.0.0.1:1", "0.0.0.0:1", "[::]:1", "[::2]:1", "[::ffff:10.0.0.1]:1"}) {
    EXPECT_FALSE(isLoopback(*Address::parse(a))) << a;
  }
}

}  // namespace
}  // namespace warren::admin
