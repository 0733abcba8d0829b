// Probe: one active health check of one node, on the health checker's loop.
//
//   Connecting → [PROXY header] → [TlsHandshake] → [AMQP header → AwaitingStart] → Lingering → closed
//
// tcp: the connect (and, with TLS to the nodes, the TLS handshake) is the check.
// amqp: then the AMQP 0-9-1 protocol header, answered by a complete Connection.Start frame.
// The whole check has one deadline (`timeout`). A passed check closes the way a client
// that changed its mind would: close_notify (TLS), then FIN, then it reads until the node
// closes too (bounded by `timeout` again), so that the node sees an orderly close and never
// a reset. RabbitMQ logs such a close after Connection.Start at warning level ("client
// unexpectedly closed TCP connection"); there is no cleaner exit before authentication:
// Connection.Close in the starting state is a protocol error, logged at error level.
//
// The Probe owns itself: `done` is called once after its socket is closed (so that two
// checks of one node never overlap), then it deletes itself. abandon() closes it at once
// and `done` is never called.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/config.h"
#include "network/chunk_pool.h"
#include "transport/tcp_socket.h"
#include "transport/tls_stream.h"
#include "tls/client_context.h"

namespace warren::health {

struct ProbeSpec {
  Address node;
  config::HealthCheckType type = config::HealthCheckType::Tcp;
  config::ProxyProtocol proxy_protocol = config::ProxyProtocol::None;
  config::HealthCheckProxy proxy_mode = config::HealthCheckProxy::OwnAddress;
  config::Duration timeout = std::chrono::seconds(2);
  tls::ClientContextConstSharedPtr tls;  // TLS to the node; null = plaintext
};

struct ProbeResult {
  bool ok = false;
  std::string reason;        // why it failed ("connect refused", "timeout waiting for Connection.Start", ...)
  uint64_t duration_us = 0;  // start to verdict
};

struct ProbeCiphertextTag {};  // Probe's sink for TLS records to the node (write)
struct ProbePlaintextTag {};   // ... and for the node's decrypted bytes (takePlaintext)

class Probe : transport::TcpSocket::Owner,
              transport::TcpSocket::Reader,
              transport::TcpSocket::Writer,
              transport::TaggedSink<ProbeCiphertextTag>,
              transport::TaggedSink<ProbePlaintextTag> {
 public:
  using Done = std::function<void(const ProbeResult&)>;

  // Starts a check on `loop`. `pool` must outlive every Probe of the loop (pending writes
  // return their chunks to it after the Probe is gone).
  static Probe* start(uv_loop_t* loop, network::ChunkPool& pool, ProbeSpec spec, Done done);
  void abandon();

  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

 private:
  enum class Stage { Connecting, TlsHandshake, AwaitingStart, Lingering, Closing };


  Probe(uv_loop_t* loop, network::ChunkPool& pool, ProbeSpec spec, Done done);
  ~Probe() override = default;

  // transport::TcpSocket's parties.
  void onConnected(transport::TcpSocket& socket, int status) override;
  void onClosed(transport::TcpSocket& socket) override;
  void onAlloc(transport::TcpSocket& socket, uv_buf_t* buf) override;
  void onRead(transport::TcpSocket& socket, ssize_t nread, const uv_buf_t* buf) override;
  void onWritten(network::Chunk* chunk, int status) override;
  void onShutdown(int status) override {}

  void run();
  void connected();
  void sendFirstBytes();
  void startTls();
  bool startReading();
  void handleRead(ssize_t nread);
  void judgeStart();
  bool write(network::Chunk* chunk);
  bool takePlaintext(network::Chunk* chunk);
  bool onSink(ProbeCiphertextTag, network::Chunk* chunk) override { return write(chunk); }
  bool onSink(ProbePlaintextTag, network::Chunk* chunk) override { return takePlaintext(chunk); }
  bool writeBytes(const uint8_t* data, size_t length);
  void pass();
  void fail(std::string reason);
  void verdict(bool ok, std::string reason);
  void closeNow();
  std::string timeoutReason() const;

  static void onTimer(uv_timer_t* timer);
  static void onTimerClosed(uv_handle_t* handle);
  void handleClosed();

  uv_loop_t* loop_;
  network::ChunkPool& pool_;
  ProbeSpec spec_;
  Done done_;
  Stage stage_ = Stage::Connecting;
  ProbeResult result_;
  uint64_t started_ns_ = 0;
  transport::TcpSocket socket_{*this};
  uv_timer_t timer_{};
  int open_handles_ = 0;
  bool closing_ = false;
  bool decided_ = false;  // result_ is final
  std::unique_ptr<transport::TlsStream> tls_;
  std::vector<uint8_t> received_;  // amqp: what the node sent (plaintext) so far
  char read_buf_[16 * 1024];
};

}  // namespace warren::health
