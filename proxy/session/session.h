// Session: one client connection and its node connection, from accept to close.
//
//   Accepted → [ReadingProxyHeader] → [TlsHandshake] → Connecting(node, attempt k)
//            → [NodeTlsHandshake] → Relaying → Closing
//
// The session keeps the stage machine, the two sockets and its one deadline, and ends everything
// in one place (close, then finish once libuv released the handles). Each stage's work is
// in its own file:
//   session.cc               accept, admission, the deadline, close and finish
//   session_inbound.cc       the inbound PROXY header (accept_proxy)
//   session_client_tls.cc    the client's TLS handshake, its diagnosis, the route by SNI
//   session_connect.cc       connect with retry (node_attempts.h), TLS to the node
//   session_early.cc         client bytes read before the node is ready (early_bytes.h)
//                            and the PROXY header they leave with
//   session_amqp.cc          the AMQP handshake read on its way through (amqp::Sniffer)
//   session_relaying.cc      the two relays (relay.h) and the idle policy (idle_policy.h)
// and the access line is written by access_log.h.
//
// Each direction (up: client → node, down: node → client) is a Relay that hears from the
// session only through Relay::Owner. The session owns itself: it deletes itself after
// libuv has closed its handles.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "amqp/sniffer.h"
#include "common/address.h"
#include "network/chunk_pool.h"
#include "network/deadline_queue.h"
#include "session/close_reason.h"
#include "session/early_bytes.h"
#include "session/idle_policy.h"
#include "session/node_attempts.h"
#include "session/relay.h"
#include "session/session_host.h"
#include "transport/tcp_socket.h"
#include "transport/tls_stream.h"

namespace warren::session {

class Session final : transport::TcpSocket::Owner,
                      transport::TcpSocket::Reader,
                      Relay::Owner,
                      network::Deadline {
 public:
  enum class Stage : uint8_t { ReadingProxyHeader, TlsHandshake, Connecting, NodeTlsHandshake, Relaying, Closing };

  // The context names its worker (listener->host), which the session runs on.
  explicit Session(ListenerContextConstSharedPtr listener);
  ~Session() override;
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
  // session.cc
  void rejectOverLimit(limits::LimitKind kind, uint32_t max, int64_t now_ns);
  void armTimer(config::Duration d);
  void onDeadline() override;  // the one pending timeout (host().deadlines())
  void handleTimeout();
  void fail(CloseReason reason) { close(up_.eof() || down_.eof() ? first_eof_ : reason); }
  SessionHost& host() const { return *listener_->host; }
  void touch() { last_activity_ms_ = uv_now(host().loop()); }
  bool handlesReleased() const;
  void finish();
  void writeAccessLine();
  ListenerStats& lstats() { return listener_->stats != nullptr ? *listener_->stats : scratchStats(); }
  static ListenerStats& scratchStats();  // for a context without counters (never read)
  // TcpSocket::Owner / Reader: reads outside relaying go to the stage that reads.
  void onConnected(transport::TcpSocket& socket, int status) override;
  void onClosed(transport::TcpSocket& socket) override;
  void onAlloc(transport::TcpSocket& socket, uv_buf_t* buf) override;
  void onRead(transport::TcpSocket& socket, ssize_t nread, const uv_buf_t* buf) override;

  // session_inbound.cc
  void startProxyHeader();
  void allocHeader(uv_buf_t* buf);
  void handleHeaderRead(ssize_t nread);
  void afterProxyHeader();

  // session_client_tls.cc
  void startTlsHandshake();
  void handleClientTlsRead(ssize_t nread, network::Chunk* chunk);
  void handleClientHandshakeBytes(network::Chunk* chunk);
  bool rejectNonTls(const network::Chunk& first);
  void clientHandshakeDone();
  void clientHandshakeFailed(bool timeout);
  void countRoute(size_t index);
  std::string sniForLog() const;
  // The lines of `event` suppressed on this listener since its last one when it may be
  // logged now (limits/connection_log.h), else nullopt.
  std::optional<uint64_t> allowLog(limits::ConnectionEvent event);
  limits::ConnectionLog* connectionLog() const;

  // session_connect.cc
  void connectNext();
  void connectFailed(int error);
  static bool isLocalExhaustion(int error);
  void localResourceExhausted(int error);
  void nodeConnected();
  void startNodeTls();
  void handleNodeTlsRead(ssize_t nread, network::Chunk* chunk);
  void nodeTlsFailed(const std::string& error);

  // session_early.cc
  bool keepEarly(network::Chunk* chunk);  // the early sink: keeps the chunk, false when closed
  transport::ChunkSink* earlySink() { return setup_.get(); }
  void startEarlyReading();
  void stopEarlyReading();
  void handleEarlyRead(ssize_t nread, network::Chunk* chunk);
  bool sendProxyHeader();

  // session_amqp.cc: AMQP listeners read the handshake on its way (false: closed).
  bool sniff(Relay::Side side, const network::Chunk& chunk);
  void rejectMisdirected(const network::Chunk& first);
  void amqpHandshakeEnded();
  void answerAmqpHeader();
  void setInspecting(bool on);

  // session_relaying.cc
  void startRelaying();
  IdleLimits idleLimits() const;
  IdleClocks idleClocks() const;
  void armRelayTimer();
  void handleRelayTimeout();
  void logIdleClose(const IdleVerdict& verdict, uint64_t now);
  void logHeartbeatTimeout(const IdleVerdict& verdict, const char* detected_by);
  bool nodeGaveUpOnSilentClient();
  uint32_t heartbeatForLog() const;
  bool onRelayData(Relay& relay, const network::Chunk& chunk) override;
  void onRelayActivity(Relay& relay, bool from_source) override;
  void onRelayEof(Relay& relay) override;
  void onRelayShut(Relay& relay) override;
  void onRelayFailed(Relay& relay, CloseReason reason) override;

  ListenerContextConstSharedPtr listener_;
  const RouteTarget* target_ = nullptr;  // chosen route (after SNI, if any)
  // The one-byte state, together (the layout is part of an idle connection's memory).
  Stage stage_ = Stage::Connecting;
  CloseReason reason_ = CloseReason::InternalError;
  CloseReason first_eof_ = CloseReason::ClientClosed;  // who sent FIN first
  bool retry_pending_ = false;     // node_ is closing; connect the next node once closed
  bool client_saw_bytes_ = false;  // the client sent anything at all (TLS diagnosis)
  bool early_reading_ = false;     // the client is read into the early bytes (node not ready yet)
  bool client_eof_early_ = false;  // ... and it finished sending (FIN or close_notify) meanwhile
  // Idle policy while relaying (session/idle_policy.h): its mode (the limits are computed,
  // idleLimits()), and the clocks below.
  IdleMode idle_mode_ = IdleMode::None;

  transport::TcpSocket client_{*this};
  transport::TcpSocket node_{*this};

  Relay up_{*this, Relay::Side::Up, host().relayEnv()};
  Relay down_{*this, Relay::Side::Down, host().relayEnv()};
  std::unique_ptr<transport::TlsStream> client_tls_;
  std::unique_ptr<transport::TlsStream> node_tls_;
  // What only the stages before relaying need, freed when relaying starts: an idle
  // connection keeps none of it.
  // It is also the early sink (earlySink()).
  struct Setup final : transport::ChunkSink {
    explicit Setup(Session& s) : session(s) {}
    bool push(network::Chunk* chunk) override { return session.keepEarly(chunk); }

    Session& session;
    EarlyBytes early;  // the client's bytes before the node is ready (session_early.cc)
    network::Chunk* header_in = nullptr;  // inbound PROXY header bytes being gathered
    uint64_t tls_started_ms = 0;
  };
  std::unique_ptr<Setup> setup_ = std::make_unique<Setup>(*this);

  Address peer_address_;    // the socket peer (an outer balancer with accept_proxy)
  Address client_address_;  // who the node is told the client is (PROXY source)
  Address front_address_;   // what the client connected to (PROXY destination)
  NodeAttempts attempts_;   // the nodes tried, and the one in use

  uint64_t started_ms_ = 0;
  uint64_t last_activity_ms_ = 0;
  limits::Ticket ticket_;  // admitted: counted in the global, listener and source counts
  uint64_t relay_started_ms_ = 0;
  uint64_t last_up_ms_ = 0;    // last byte from the client
  uint64_t last_down_ms_ = 0;  // last byte from the node
  std::unique_ptr<amqp::Sniffer> sniffer_;     // during the AMQP handshake only
  std::unique_ptr<amqp::HandshakeInfo> amqp_;  // what the handshake said (for the access log)
};

}  // namespace warren::session
