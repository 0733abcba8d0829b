#include "health/rise_fall.h"

namespace warren::health {

using upstream::Health;

Health RiseFall::record(Health current, bool ok) {
  if (current != seen_) {  // changed by someone else (passive marking, a reload's new node)
    seen_ = current;
    successes_ = 0;
    failures_ = 0;
  }
  Health next = current;
  if (ok) {
    failures_ = 0;
    ++successes_;
    if (current == Health::Unchecked || (current == Health::Down && successes_ >= rise_)) next = Health::Up;
  } else {
    successes_ = 0;
    ++failures_;
    if (current != Health::Down && failures_ >= fall_) next = Health::Down;
  }
  seen_ = next;
  return next;
}

}  // namespace warren::health
