#include "loadgen/reply_conn.h"

#include <algorithm>

namespace warren::bench {

void ReplyConn::run() {
  uint8_t buf[4096];
  while (!finished()) {
    size_t n = 0;
    const Io io = readSome(buf, sizeof buf, n);
    if (io == Io::Blocked) return;
    if (io == Io::Error) return failIo(io, got_ < kReplyLength ? "reply" : "close");
    if (io == Io::Eof) {
      if (got_ < kReplyLength) return fail("short_reply");
      // Hold: the peer is not supposed to close an idle connection.
      if (hold_) return fail("closed_by_peer");
      return succeed();
    }
    const size_t take = std::min(n, kReplyLength - got_);
    std::copy_n(buf, take, reply_.begin() + static_cast<ptrdiff_t>(got_));
    got_ += take;
    if (take < n || (got_ == kReplyLength && reply_ != kOkReply)) return fail("bad_reply");
    if (got_ == kReplyLength && hold_ && !ready_) {
      ready_ = true;
      env_.owner.onReady(*this);
    }
  }
}

}  // namespace warren::bench
