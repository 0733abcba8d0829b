// RiseFall: the rise/fall thresholds of one node's active checks, as a pure state machine
// (no sockets, no clock), fed one check result at a time.
//
//   Unchecked ──success──▶ Up          (the node already counted as up: no slow start)
//   Unchecked ──fall failures in a row──▶ Down
//   Up ──fall failures in a row──▶ Down
//   Down ──rise successes in a row──▶ Up   (Node::setHealth starts the slow-start ramp)
//
// The node's health may also change behind the checker's back: the workers mark a node
// Down after `fall` refused connects from real traffic (passive marking). record() is
// therefore given the node's current health, and a health it did not set itself restarts
// the counts, so that a passively downed node needs `rise` fresh successes.
#pragma once

#include <cstdint>

#include "upstream/node.h"

namespace warren::health {

class RiseFall {
 public:
  RiseFall(uint32_t rise, uint32_t fall) : rise_(rise == 0 ? 1 : rise), fall_(fall == 0 ? 1 : fall) {}

  // One check result for a node whose health is now `current`; returns the health the
  // node should have (== current when nothing changes).
  upstream::Health record(upstream::Health current, bool ok);

  uint32_t successes() const { return successes_; }  // consecutive, since the last failure
  uint32_t failures() const { return failures_; }    // consecutive, since the last success

 private:
  uint32_t rise_;
  uint32_t fall_;
  upstream::Health seen_ = upstream::Health::Unchecked;  // as of the last record()
  uint32_t successes_ = 0;
  uint32_t failures_ = 0;
};

}  // namespace warren::health
