#include "limits/admission.h"

#include <gtest/gtest.h>

namespace warren::limits {
namespace {

constexpr int64_t kNow = 1'000'000'000'000;

Address from(const char* ip) { return *Address::fromIp(ip, 40000); }

struct Fixture {
  std::atomic<uint32_t> global{0};
  std::atomic<uint32_t> listener{0};
  ListenerLimits limits;
  Gate gate;

  Fixture(const config::Listener& l, uint32_t global_max)
      : limits(l), gate{&global, global_max, &listener, l.max_connections, &limits} {}
};

config::Listener listenerWith(uint32_t max, uint32_t per_source, uint32_t rate, uint32_t burst) {
  config::Listener l;
  l.max_connections = max;
  l.max_connections_per_source = per_source;
  l.accept_rate = rate;
  l.accept_burst = burst;
  return l;
}

TEST(Admission, UnlimitedAdmitsAndCountsGauges) {
  Fixture f(listenerWith(0, 0, 0, 0), 0);
  EXPECT_EQ(f.limits.sources(), nullptr);
  EXPECT_EQ(f.limits.rate(), nullptr);
  Admission a = admit(f.gate, from("10.0.0.1"), kNow);
  EXPECT_FALSE(a.rejected);
  EXPECT_EQ(f.global.load(), 1u);
  EXPECT_EQ(f.listener.load(), 1u);
  a.ticket.release();
  a.ticket.release();  // idempotent
  EXPECT_EQ(f.global.load(), 0u);
  EXPECT_EQ(f.listener.load(), 0u);
}

TEST(Admission, GlobalThenListenerLimit) {
  Fixture f(listenerWith(2, 0, 0, 0), 3);
  Admission a = admit(f.gate, from("10.0.0.1"), kNow);
  Admission b = admit(f.gate, from("10.0.0.1"), kNow);
  Admission c = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_TRUE(c.rejected);
  EXPECT_EQ(*c.rejected, LimitKind::Listener);
  EXPECT_EQ(c.max, 2u);
  f.global = 3;  // another listener holds the rest
  Admission d = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_TRUE(d.rejected);
  EXPECT_EQ(*d.rejected, LimitKind::Global);
  EXPECT_EQ(f.global.load(), 3u);  // the rejected ones gave back their counts
  EXPECT_EQ(f.listener.load(), 2u);
}

TEST(Admission, PerSourceLimitAndReleaseOnTicketEnd) {
  Fixture f(listenerWith(0, 1, 0, 0), 0);
  std::optional<Admission> a = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_FALSE(a->rejected);
  Admission b = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_TRUE(b.rejected);
  EXPECT_EQ(*b.rejected, LimitKind::Source);
  EXPECT_FALSE(admit(f.gate, from("10.0.0.2"), kNow).rejected);  // released at once (temporary)
  a.reset();  // the ticket's destructor gives the source back
  EXPECT_EQ(f.limits.sources()->entries(), 0u);
  EXPECT_FALSE(admit(f.gate, from("10.0.0.1"), kNow).rejected);
  EXPECT_EQ(f.listener.load(), 0u);
}

TEST(Admission, RateIsCheckedLastSoCountRejectionsSpendNoToken) {
  Fixture f(listenerWith(1, 0, 1, 2), 0);
  Admission a = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_FALSE(a.rejected);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(admit(f.gate, from("10.0.0.1"), kNow).rejected, LimitKind::Listener);
  a.ticket.release();
  EXPECT_FALSE(admit(f.gate, from("10.0.0.1"), kNow).rejected);  // the burst's second token
  Admission over = admit(f.gate, from("10.0.0.1"), kNow);
  ASSERT_TRUE(over.rejected);
  EXPECT_EQ(*over.rejected, LimitKind::Rate);
  EXPECT_EQ(over.max, 1u);
  EXPECT_EQ(f.listener.load(), 0u);
}

TEST(Admission, BurstDefaultsToOneSecondOfRate) {
  Fixture f(listenerWith(0, 0, 4, 0), 0);
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += admit(f.gate, from("10.0.0.1"), kNow).rejected ? 0 : 1;
  EXPECT_EQ(admitted, 4);
}

TEST(Admission, MovedTicketReleasesOnce) {
  Fixture f(listenerWith(0, 5, 0, 0), 0);
  Ticket kept;
  {
    Admission a = admit(f.gate, from("10.0.0.1"), kNow);
    kept = std::move(a.ticket);
  }
  EXPECT_EQ(f.listener.load(), 1u);
  EXPECT_EQ(f.limits.sources()->count(f.limits.sources()->keyOf(from("10.0.0.1"))), 1u);
  kept.release();
  EXPECT_EQ(f.listener.load(), 0u);
  EXPECT_EQ(f.global.load(), 0u);
  EXPECT_EQ(f.limits.sources()->entries(), 0u);
}

}  // namespace
}  // namespace warren::limits
