// Session: one client connection and its node connection, from accept to close.
//
//   Accepted → [ReadingProxyHeader] → Connecting(node, attempt k) → Relaying → Closing
//
// Each direction (up: client → node, down: node → client) is a Relay. A relay reads a
// chunk from its source and writes that same chunk to its sink; when more than the high
// watermark waits for the sink it stops reading the source, and reads again below the
// low watermark, so a peer that does not read never makes Warren buffer more than the
// limit. EOF on one side is passed on as a shutdown of the other side's write half;
// the session ends when both halves are shut, or at the first error. The reason is
// recorded once and goes to the access log.
//
// The session owns itself: it deletes itself after libuv has closed its handles.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/address.h"
#include "network/chunk_pool.h"
#include "session/close_reason.h"
#include "session/session_host.h"

namespace warren::session {

class Session;

class Relay {
 public:
  enum class Side { Up, Down };  // Up: client → node, Down: node → client

  Relay(Session& session, Side side) : session_(session), side_(side) {}

  void attach(uv_tcp_t* source, uv_tcp_t* sink) {
    source_ = source;
    sink_ = sink;
  }
  int startReading();
  // Writes a chunk to the sink (takes ownership): at once if the sink is free,
  // else queued. Returns false if the session was closed.
  bool send(network::Chunk* chunk);

  uint64_t bytes() const { return bytes_; }
  uint32_t queued() const { return queued_; }
  bool shut() const { return shut_; }
  bool eof() const { return eof_; }

 private:
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onShutdown(uv_shutdown_t* req, int status);

  friend class Session;
  static Relay& relayFor(uv_handle_t* source);
  void handleRead(ssize_t nread, const uv_buf_t* buf);
  void handleEof();
  void pause();
  void resumeIfDrained();
  CloseReason errorReason(bool on_sink) const;

  Session& session_;
  Side side_;
  uv_tcp_t* source_ = nullptr;
  uv_tcp_t* sink_ = nullptr;
  uv_shutdown_t shutdown_req_{};
  uint64_t bytes_ = 0;     // read from the source
  uint32_t queued_ = 0;    // read but not yet written to the sink
  bool reading_ = false;
  bool paused_ = false;    // stopped by backpressure
  bool eof_ = false;       // the source sent FIN
  bool shut_ = false;      // the sink's write half is shut
};

class Session {
 public:
  enum class Stage { ReadingProxyHeader, Connecting, Relaying, Closing };

  Session(SessionHost& host, const ListenerContext& listener);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Accepts the pending connection from `server` and starts the session. On failure
  // the session closes (and deletes) itself.
  void start(uv_stream_t* server);
  // Ends the session now (graceful stop deadline). Safe to call in any stage.
  void close(CloseReason reason);

  Stage stage() const { return stage_; }
  const Address& clientAddress() const { return client_address_; }

  // Intrusive list links for the worker's session registry.
  Session* prev = nullptr;
  Session* next = nullptr;

 private:
  friend class Relay;

  static void onTimer(uv_timer_t* timer);
  static void onConnect(uv_connect_t* req, int status);
  static void onHandleClosed(uv_handle_t* handle);
  static void onHeaderAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onHeaderRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

  void handleHeaderRead(ssize_t nread);
  void connectNext();
  void handleConnect(int status);
  void connectFailed(int error);
  void startRelaying();
  void checkFinished();
  void armTimer(config::Duration d);
  void handleTimeout();
  void touch() { last_activity_ms_ = uv_now(host_.loop()); }
  void noteEof(Relay::Side side);
  // An I/O error. Once either side has sent FIN the connection was already ending, and
  // the reason stays who closed first (RabbitMQ answers a client's FIN with a reset).
  void fail(CloseReason reason) { close(up_.eof() || down_.eof() ? first_eof_ : reason); }
  void finish();

  SessionHost& host_;
  ListenerContext listener_;
  Stage stage_ = Stage::Connecting;
  CloseReason reason_ = CloseReason::InternalError;

  uv_tcp_t client_{};
  uv_tcp_t node_{};
  uv_timer_t timer_{};
  uv_connect_t connect_req_{};
  bool node_open_ = false;       // node_ is initialised and not yet closed
  bool retry_pending_ = false;   // node_ is closing; connect the next node once closed
  int open_handles_ = 0;

  Relay up_{*this, Relay::Side::Up};
  Relay down_{*this, Relay::Side::Down};

  Address peer_address_;    // the socket peer (an outer balancer with accept_proxy)
  Address client_address_;  // who the node is told the client is (PROXY source)
  Address front_address_;   // what the client connected to (PROXY destination)
  network::Chunk* early_ = nullptr;  // bytes read before the relay started (after a PROXY header)

  upstream::Node* node_choice_ = nullptr;  // acquired node, released at the end
  std::vector<upstream::Node*> tried_;
  int last_connect_error_ = 0;

  uint64_t started_ms_ = 0;
  uint64_t last_activity_ms_ = 0;
  bool counted_ = false;          // counted in the listener and global active counts
  bool connecting_ = false;       // a connect to node_ is in flight
  CloseReason first_eof_ = CloseReason::ClientClosed;  // who sent FIN first
};

}  // namespace warren::session
