// The connection of the handshake, resume and idle modes: sends Quick or Hold, checks
// the backend's 8-byte "WBCHokok". Quick then reads until the backend's close and ends
// cleanly; Hold tells the owner it is ready and stays open until closed.
#pragma once

#include "loadgen/client_conn.h"

namespace warren::bench {

class ReplyConn : public ClientConn {
 public:
  ReplyConn(ConnEnv& env, Mode mode) : ClientConn(env, Command{mode, 0}), hold_(mode == Mode::Hold) {}

 protected:
  void run() override;

 private:
  bool hold_;
  bool ready_ = false;
  std::array<uint8_t, kReplyLength> reply_{};
  size_t got_ = 0;
};

}  // namespace warren::bench
