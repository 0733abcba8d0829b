// Per-connection lines: a burst of ten, then one per second, per event and listener; the
// skipped ones counted.
#include "limits/connection_log.h"

#include <gtest/gtest.h>

namespace warren::limits {
namespace {

TEST(ConnectionLog, EachEventIsBoundedOnItsOwn) {
  ConnectionLog log;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(log.allow(ConnectionEvent::TlsHandshakeFailed, 1000), 0u) << i;
  for (int i = 0; i < 5000; ++i) EXPECT_FALSE(log.allow(ConnectionEvent::TlsHandshakeFailed, 1000 + i % 999));
  // Another event is not held back by the flood of the first.
  EXPECT_EQ(log.allow(ConnectionEvent::ProtocolMismatch, 1500), 0u);
  // A second later the next line says how many were skipped.
  EXPECT_EQ(log.allow(ConnectionEvent::TlsHandshakeFailed, 2000), 5000u);
}

TEST(ConnectionLog, ListenersAreBoundedApart) {
  ConnectionLog a, b;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(a.allow(ConnectionEvent::NoNode, 0));
  EXPECT_FALSE(a.allow(ConnectionEvent::NoNode, 10));
  EXPECT_TRUE(b.allow(ConnectionEvent::NoNode, 10));
}

}  // namespace
}  // namespace warren::limits
