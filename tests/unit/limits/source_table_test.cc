#include "limits/source_table.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace warren::limits {
namespace {

SourceKey key(const char* ip, uint32_t ipv6_prefix = 128) { return SourceKey::of(*Address::fromIp(ip, 1234), ipv6_prefix); }

TEST(SourceKey, IgnoresThePortAndTellsAddressesApart) {
  EXPECT_EQ(SourceKey::of(*Address::parse("10.0.0.1:1"), 64), SourceKey::of(*Address::parse("10.0.0.1:2"), 64));
  EXPECT_NE(key("10.0.0.1"), key("10.0.0.2"));
  EXPECT_NE(key("::1"), key("127.0.0.1"));
}

TEST(SourceKey, Ipv4AndItsMappedIpv6FormAreOneSource) {
  EXPECT_EQ(key("192.0.2.7"), key("::ffff:192.0.2.7"));
}

TEST(SourceKey, Ipv6SourcesAreGroupedByThePrefix) {
  // /64: one host's whole /64 is one source; the next /64 is another.
  EXPECT_EQ(key("2001:db8:1:2::1", 64), key("2001:db8:1:2:ffff:ffff:ffff:ffff", 64));
  EXPECT_NE(key("2001:db8:1:2::1", 64), key("2001:db8:1:3::1", 64));
  // A prefix that is not a multiple of 8: /60 keeps the high nibble of the 8th byte.
  EXPECT_EQ(key("2001:db8:1:20::1", 60), key("2001:db8:1:2f::1", 60));
  EXPECT_NE(key("2001:db8:1:20::1", 60), key("2001:db8:1:30::1", 60));
  // /128 tells every address apart.
  EXPECT_NE(key("2001:db8::1", 128), key("2001:db8::2", 128));
}

TEST(SourceKey, Ipv4AndMappedAddressesIgnoreTheIpv6Prefix) {
  EXPECT_NE(key("192.0.2.7", 64), key("192.0.2.8", 64));
  EXPECT_NE(key("::ffff:192.0.2.7", 64), key("::ffff:192.0.2.8", 64));
  EXPECT_EQ(key("192.0.2.7", 64), key("::ffff:192.0.2.7", 1));
}

TEST(SourceTable, ConnectionsOfOneIpv6SlashSixtyFourShareTheLimit) {
  SourceTable table(2, 64);
  auto k = [&](const char* ip) { return table.keyOf(*Address::fromIp(ip, 1)); };
  EXPECT_TRUE(table.tryAcquire(k("2001:db8::1")));
  EXPECT_TRUE(table.tryAcquire(k("2001:db8::2")));
  EXPECT_FALSE(table.tryAcquire(k("2001:db8::3")));
  EXPECT_TRUE(table.tryAcquire(k("2001:db8:0:1::1")));
}

TEST(SourceTable, AcquiresUpToTheLimitPerSource) {
  SourceTable table(2, 128);
  EXPECT_TRUE(table.tryAcquire(key("10.0.0.1")));
  EXPECT_TRUE(table.tryAcquire(key("10.0.0.1")));
  EXPECT_FALSE(table.tryAcquire(key("10.0.0.1")));
  EXPECT_TRUE(table.tryAcquire(key("10.0.0.2")));  // another source is not affected
  EXPECT_EQ(table.count(key("10.0.0.1")), 2u);
  table.release(key("10.0.0.1"));
  EXPECT_TRUE(table.tryAcquire(key("10.0.0.1")));
}

TEST(SourceTable, EntriesGoWhenTheyDropToZero) {
  SourceTable table(1, 128);
  for (int i = 0; i < 1000; ++i) {
    SourceKey k = key(("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)).c_str());
    ASSERT_TRUE(table.tryAcquire(k));
    EXPECT_FALSE(table.tryAcquire(k));  // a refusal leaves the count as it was
  }
  EXPECT_EQ(table.entries(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    table.release(key(("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)).c_str()));
  }
  EXPECT_EQ(table.entries(), 0u);
  table.release(key("10.9.9.9"));  // never acquired: ignored
  EXPECT_EQ(table.entries(), 0u);
}

TEST(SourceTable, SpreadsSourcesOverTheShards) {
  std::set<size_t> used;
  for (int i = 0; i < 1024; ++i) {
    used.insert(SourceTable::shardOf(key(("10.2." + std::to_string(i / 256) + "." + std::to_string(i % 256)).c_str()),
                                     12345));
  }
  // 1024 addresses over 64 shards: a fair hash leaves (almost) no shard empty.
  EXPECT_GE(used.size(), 60u);
}

TEST(SourceTable, TwoThreadsSharingSourcesNeverOvershootAndEndEmpty) {
  SourceTable table(3, 128);
  const std::vector<SourceKey> keys = {key("10.3.0.1"), key("10.3.0.2"), key("2001:db8::1")};
  std::atomic<int> overshoot{0};
  auto worker = [&] {
    for (int round = 0; round < 20000; ++round) {
      const SourceKey& k = keys[round % keys.size()];
      if (!table.tryAcquire(k)) continue;
      if (table.count(k) > 3) ++overshoot;
      table.release(k);
    }
  };
  std::thread a(worker);
  std::thread b(worker);
  a.join();
  b.join();
  EXPECT_EQ(overshoot.load(), 0);
  EXPECT_EQ(table.entries(), 0u);
}

TEST(SourceTable, TwoThreadsAtTheLimitAdmitExactlyTheLimit) {
  SourceTable table(50, 128);
  std::atomic<int> admitted{0};
  auto worker = [&] {
    for (int i = 0; i < 100; ++i) admitted += table.tryAcquire(key("10.4.0.1")) ? 1 : 0;
  };
  std::thread a(worker);
  std::thread b(worker);
  a.join();
  b.join();
  EXPECT_EQ(admitted.load(), 50);
  EXPECT_EQ(table.count(key("10.4.0.1")), 50u);
}

}  // namespace
}  // namespace warren::limits
