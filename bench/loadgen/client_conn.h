// One load-generator connection: non-blocking connect, optional PROXY v2 header,
// optional TLS handshake, the 16-byte bench command, then the mode's own exchange
// (run()). The fd is edge-triggered, so every step goes on until it would block.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/command.h"
#include "common/event_loop.h"
#include "loadgen/options.h"
#include "loadgen/tls_client.h"

namespace warren::bench {

class ClientConn;

// Told when a connection is set up (for the mode) and when it ends.
class ConnOwner {
 public:
  virtual ~ConnOwner() = default;
  // The command went out (the mode's exchange starts).
  virtual void onEstablished(ClientConn&) {}
  // The mode says the connection is in its steady state (idle: the backend's reply came).
  virtual void onReady(ClientConn&) {}
  virtual void onFinished(ClientConn& conn, bool ok) = 0;
};

struct Counters {
  uint64_t ok = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> error_kinds;
  uint64_t full_handshakes = 0;
  uint64_t resumed = 0;
  uint64_t unclean_eofs = 0;  // TLS EOF without close_notify (not an error)
  uint64_t bytes = 0;         // payload bytes moved and verified (bulk modes)
  uint64_t moved = 0;         // every byte read or written after the handshake: progress

  void error(std::string_view kind);
};

struct ConnEnv {
  EventLoop& loop;
  const Options& options;
  SSL_CTX* ssl_ctx = nullptr;       // nullptr = plaintext
  SessionStore* sessions = nullptr; // offered and refreshed when set (resume mode)
  Counters& counters;
  ConnOwner& owner;
};

class ClientConn : public EventLoop::Handler {
 public:
  ClientConn(ConnEnv& env, Command command);
  ~ClientConn() override;

  // Starts the connect. False (already counted as an error) when it failed at once.
  bool start(int64_t now_ns);
  void onEvents(uint32_t events) override;
  // Ends the connection from outside: an error of `kind` (e.g. "timeout").
  void abort(std::string_view kind) { fail(kind); }
  // Ends an established connection on purpose (close_notify when TLS, then close): ok.
  void closeGracefully() { succeed(); }
  bool finished() const { return fd_ < 0; }
  int64_t startedNs() const { return started_ns_; }

 protected:
  enum class Io { Ok, Blocked, Eof, Error };

  // The mode's exchange after the command was sent; called on every event after
  // that. Loops until blocked, then returns; ends with succeed() or fail().
  virtual void run() = 0;

  Io readSome(uint8_t* buf, size_t cap, size_t& got);
  Io writeSome(const uint8_t* buf, size_t len, size_t& put);
  // close_notify (TLS) and a TCP half-close. Blocked: call again later.
  Io shutdownWrite();
  void succeed();
  void fail(std::string_view kind);
  // Fails with a kind derived from `io` ("reset", "unexpected_eof", ...).
  void failIo(Io io, std::string_view what);

  ConnEnv& env_;

 private:
  enum class State { Connecting, SendingProxy, Handshaking, SendingCommand, Running };

  void advance();
  bool sendProxyHeader();
  bool handshake();
  void finish(bool ok);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  State state_ = State::Connecting;
  std::array<uint8_t, kCommandLength> command_;
  size_t command_sent_ = 0;
  uint8_t proxy_header_[64];
  size_t proxy_len_ = 0;
  size_t proxy_sent_ = 0;
  bool write_shut_ = false;
  int64_t started_ns_ = 0;
};

}  // namespace warren::bench
