// Session: one client connection and its node connection, from accept to close.
//
//   Accepted → [ReadingProxyHeader] → [TlsHandshake] → Connecting(node, attempt k)
//            → [NodeTlsHandshake] → Relaying → Closing
//
// Each direction (up: client → node, down: node → client) is a Relay. A relay reads a
// chunk from its source and writes that same chunk to its sink; when more than the high
// watermark waits for the sink it stops reading the source, and reads again below the
// low watermark, so a peer that does not read never makes Warren buffer more than the
// limit. With TLS on a side, the relay reading that side decrypts (TlsStream::feed) and
// the relay writing to it encrypts (TlsStream::write); chunks still flow the same way.
// EOF on one side is passed on as a shutdown of the other side's write half (after a
// close_notify when that side is TLS); the session ends when both halves are shut, or at
// the first error. The reason is recorded once and goes to the access log.
//
// The session owns itself: it deletes itself after libuv has closed its handles.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"
#include "network/chunk_pool.h"
#include "session/close_reason.h"
#include "session/idle_policy.h"
#include "session/session_host.h"
#include "amqp/sniffer.h"
#include "common/logging.h"
#include "session/tls_stream.h"

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
  // TLS on the source side (decrypt what is read) and on the sink side (encrypt what is sent).
  void setTls(TlsStream* source_tls, TlsStream* sink_tls) {
    source_tls_ = source_tls;
    sink_tls_ = sink_tls;
  }
  int startReading();
  // Writes a chunk of wire bytes to the sink (takes ownership): at once if the sink is
  // free, else queued. While a read is being handled the chunks it produces are gathered
  // and written together at its end (one writev, one wake-up of the peer). Returns false
  // if the session was closed.
  bool send(network::Chunk* chunk);
  // Passes a chunk of application bytes on: encrypted first when the sink side is TLS.
  bool forward(network::Chunk* chunk);

  ChunkSink* sendSink() { return &send_sink_; }
  ChunkSink* forwardSink() { return &forward_sink_; }

  uint64_t bytes() const { return bytes_; }
  uint32_t queued() const { return queued_; }
  bool shut() const { return shut_; }
  bool eof() const { return eof_; }

 private:
  struct SendSink : ChunkSink {
    Relay* relay;
    explicit SendSink(Relay* r) : relay(r) {}
    bool push(network::Chunk* chunk) override { return relay->send(chunk); }
  };
  struct ForwardSink : ChunkSink {
    Relay* relay;
    explicit ForwardSink(Relay* r) : relay(r) {}
    bool push(network::Chunk* chunk) override { return relay->forward(chunk); }
  };

  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onShutdown(uv_shutdown_t* req, int status);

  friend class Session;
  static Relay& relayFor(uv_handle_t* source);
  void handleRead(ssize_t nread, const uv_buf_t* buf);
  void handleData(network::Chunk* chunk);
  bool sendNow(network::Chunk* chunk);
  bool queueWrite(network::Chunk* chunk);
  bool flushBatch();
  void handleEof();
  void pause();
  void resumeIfDrained();
  CloseReason errorReason(bool on_sink) const;

  Session& session_;
  Side side_;
  uv_tcp_t* source_ = nullptr;
  uv_tcp_t* sink_ = nullptr;
  TlsStream* source_tls_ = nullptr;
  TlsStream* sink_tls_ = nullptr;
  SendSink send_sink_{this};
  ForwardSink forward_sink_{this};
  uv_shutdown_t shutdown_req_{};
  // Chunks gathered for the sink while a read is handled (see send()).
  static constexpr uint32_t kBatch = 8;
  network::Chunk* batch_[kBatch] = {};
  uint32_t batch_count_ = 0;
  bool batching_ = false;
  uint64_t bytes_ = 0;     // application bytes passed on
  uint32_t queued_ = 0;    // read but not yet written to the sink
  bool reading_ = false;
  bool paused_ = false;    // stopped by backpressure
  bool eof_ = false;       // the source sent FIN (or close_notify)
  bool shut_ = false;      // the sink's write half is shut
};

class Session {
 public:
  enum class Stage { ReadingProxyHeader, TlsHandshake, Connecting, NodeTlsHandshake, Relaying, Closing };

  Session(SessionHost& host, ListenerContextConstSharedPtr listener);
  ~Session();
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

  // Application bytes that arrive before the node connection is ready (read while the node
  // is connected, after an inbound PROXY header, or with the client's TLS Finished).
  // Bounded (reading pauses at a limit); sent first once relaying.
  struct EarlySink : ChunkSink {
    Session* session;
    explicit EarlySink(Session* s) : session(s) {}
    bool push(network::Chunk* chunk) override;
  };

  static void onTimer(uv_timer_t* timer);
  static void onConnect(uv_connect_t* req, int status);
  static void onHandleClosed(uv_handle_t* handle);
  static void onHeaderAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onHeaderRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onHandshakeAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onHandshakeRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

  // Over a connection limit: counted, logged at a bounded rate, closed before any reading.
  void rejectOverLimit(limits::LimitKind kind, uint32_t max, int64_t now_ns);
  void handleHeaderRead(ssize_t nread);
  void afterProxyHeader();
  void startTlsHandshake();
  void handleClientHandshakeBytes(network::Chunk* chunk);
  bool rejectNonTls(const network::Chunk& first);
  void answerAmqpHeader();
  void clientHandshakeDone();
  void clientHandshakeFailed(bool timeout);
  void handleNodeHandshakeBytes(network::Chunk* chunk);
  void connectNext();
  void handleConnect(int status);
  void connectFailed(int error);
  void nodeConnected();
  bool sendProxyHeader();
  void startRelaying();
  void startEarlyReading();
  void stopEarlyReading();
  void handleEarlyRead(ssize_t nread, network::Chunk* chunk);
  void noteEof(Relay::Side side);
  void checkFinished();
  void fail(CloseReason reason) { close(up_.eof() || down_.eof() ? first_eof_ : reason); }
  void armTimer(config::Duration d);
  void handleTimeout();
  void touch() { last_activity_ms_ = uv_now(host_.loop()); }
  // Bytes arrived from one side (heartbeat policy: each direction has its own clock).
  void touch(Relay::Side side) {
    touch();
    (side == Relay::Side::Up ? last_up_ms_ : last_down_ms_) = last_activity_ms_;
  }
  // AMQP listeners: feeds the sniffer; false if the session was closed (wrong protocol).
  bool sniff(Relay::Side side, const network::Chunk& chunk);
  void amqpHandshakeEnded();
  void rejectMisdirected(const network::Chunk& first);
  // The relaying stage's deadline, from the idle policy.
  IdleClocks idleClocks() const;
  void armRelayTimer();
  void handleRelayTimeout();
  void logIdleClose(const IdleVerdict& verdict, uint64_t now);
  uint32_t heartbeatForLog() const;
  void finish();
  std::string sniForLog() const;
  // Labeled counters (never null: contexts without them count into a per-thread scratch block).
  stats::ListenerStats& lstats() { return *lstats_; }
  void countRoute(size_t index);
  void countNode(bool connected);

  SessionHost& host_;
  ListenerContextConstSharedPtr listener_;
  stats::ListenerStats* lstats_;
  const RouteTarget* target_ = nullptr;  // chosen route (after SNI, if any)
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
  std::unique_ptr<TlsStream> client_tls_;
  std::unique_ptr<TlsStream> node_tls_;
  EarlySink early_sink_{this};
  network::Chunk* early_head_ = nullptr;  // EarlySink's queue (linked through Chunk::next)
  network::Chunk* early_tail_ = nullptr;
  uint32_t early_bytes_ = 0;
  network::Chunk* header_in_ = nullptr;   // inbound PROXY header bytes being gathered

  Address peer_address_;    // the socket peer (an outer balancer with accept_proxy)
  Address client_address_;  // who the node is told the client is (PROXY source)
  Address front_address_;   // what the client connected to (PROXY destination)

  upstream::Node* node_choice_ = nullptr;  // acquired node, released at the end
  std::vector<upstream::Node*> tried_;
  int last_connect_error_ = 0;

  uint64_t started_ms_ = 0;
  uint64_t tls_started_ms_ = 0;
  uint64_t last_activity_ms_ = 0;
  limits::Ticket ticket_;         // admitted: counted in the global, listener and source counts
  bool connecting_ = false;       // a connect to node_ is in flight
  bool client_saw_bytes_ = false; // the client sent anything at all (TLS diagnosis)
  bool early_reading_ = false;    // the client is read into the early sink (node not ready yet)
  bool client_eof_early_ = false; // ... and it finished sending (FIN or close_notify) meanwhile
  // Idle policy while relaying (session/idle_policy.h): its limits, and the clocks below.
  IdleLimits idle_;
  uint64_t relay_started_ms_ = 0;
  uint64_t last_up_ms_ = 0;     // last byte from the client
  uint64_t last_down_ms_ = 0;   // last byte from the node
  std::unique_ptr<amqp::Sniffer> sniffer_;        // during the AMQP handshake only
  std::unique_ptr<amqp::HandshakeInfo> amqp_;     // what the handshake said (for the access log)
  CloseReason first_eof_ = CloseReason::ClientClosed;  // who sent FIN first
};

}  // namespace warren::session
