// Relay: one direction of a connection. It reads a chunk from its source socket and writes
// that same chunk to its sink socket. When more than the high watermark waits for the sink,
// it stops reading the source and reads again below the low watermark, so a peer that does
// not read never makes Warren buffer more than the limit. With TLS on a side, the relay
// reading that side decrypts (TlsStream::feed) and the relay writing to it encrypts
// (TlsStream::write); chunks still flow the same way. EOF (FIN or close_notify) from the
// source becomes a shutdown of the sink's write half, after a close_notify when the sink
// side is TLS.
//
// A relay knows its two sockets, its TLS streams, the worker's RelayEnv and its Owner, and
// nothing else. The owner hears of data (only while it asked to inspect it), activity, EOF,
// the sink's shutdown and failures; it stops the relay when it closes.
#pragma once

#include <cstdint>

#include "network/chunk_pool.h"
#include "session/close_reason.h"
#include "session/session_stats.h"
#include "stats/counter.h"
#include "transport/chunk_sink.h"
#include "transport/tcp_socket.h"
#include "transport/tls_stream.h"

namespace warren::session {

// What every relay of a worker shares. The worker updates the watermarks on reload.
struct RelayEnv {
  network::ChunkPool* pool = nullptr;
  RelayStats* stats = nullptr;
  uint32_t high_watermark = 0;
  uint32_t low_watermark = 0;
};

struct RelaySendTag {};     // Relay's sink that writes to its sink socket (send)
struct RelayForwardTag {};  // ... and the one that passes application bytes on (forward)

class Relay : public transport::TcpSocket::Reader,
              public transport::TcpSocket::Writer,
              private transport::TaggedSink<RelaySendTag>,
              private transport::TaggedSink<RelayForwardTag> {
 public:
  enum class Side : uint8_t { Up, Down };  // Up: client → node, Down: node → client

  class Owner {
   public:
    virtual ~Owner() = default;
    // Application bytes on their way (only while inspecting). False: the owner closed.
    virtual bool onRelayData(Relay& relay, const network::Chunk& chunk) = 0;
    // Bytes arrived from the source (from_source) or were written to the sink.
    virtual void onRelayActivity(Relay& relay, bool from_source) = 0;
    virtual void onRelayEof(Relay& relay) = 0;   // the source finished (before the sink is shut)
    virtual void onRelayShut(Relay& relay) = 0;  // the sink's write half is shut
    virtual void onRelayFailed(Relay& relay, CloseReason reason) = 0;
  };

  Relay(Owner& owner, Side side, const RelayEnv& env) : owner_(owner), env_(&env), side_(side) {}
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // The sink's writes are this relay's from now on (TLS handshake records included).
  void attach(transport::TcpSocket& source, transport::TcpSocket& sink);
  // TLS on the source side (decrypt what is read) and on the sink side (encrypt what is sent).
  void setTls(transport::TlsStream* source_tls, transport::TlsStream* sink_tls) {
    source_tls_ = source_tls;
    sink_tls_ = sink_tls;
  }
  void setByteCounter(stats::Counter* counter) { bytes_counter_ = counter; }
  void setInspecting(bool on) { inspecting_ = on; }

  // Starts relaying: reads the source (taking it over if someone else was reading it).
  int startReading();
  // The owner closes: nothing more is written; gathered chunks go back to the pool.
  void stop();
  // Writes a chunk of wire bytes to the sink (takes ownership): at once if the sink is free,
  // else queued. While a read is being handled the chunks it produces are gathered and
  // written together at its end (one writev, one wake-up of the peer). False if stopped.
  bool send(network::Chunk* chunk);
  // Passes a chunk of application bytes on: encrypted first when the sink side is TLS.
  bool forward(network::Chunk* chunk);
  // The source finished (FIN or close_notify), possibly seen by someone else first.
  void handleEof();

  transport::ChunkSink* sendSink() { return static_cast<transport::TaggedSink<RelaySendTag>*>(this); }
  transport::ChunkSink* forwardSink() { return static_cast<transport::TaggedSink<RelayForwardTag>*>(this); }

  Side side() const { return side_; }
  uint64_t bytes() const { return bytes_; }
  void addBytes(uint32_t n);  // application bytes passed on by the owner itself (coalesced)
  bool paused() const { return paused_; }
  bool shut() const { return shut_; }
  bool eof() const { return eof_; }

  // TcpSocket::Reader (the source)
  void onAlloc(transport::TcpSocket& socket, uv_buf_t* buf) override;
  void onRead(transport::TcpSocket& socket, ssize_t nread, const uv_buf_t* buf) override;
  // TcpSocket::Writer (the sink)
  void onWritten(network::Chunk* chunk, int status) override;
  void onShutdown(int status) override;

 private:
  bool onSink(RelaySendTag, network::Chunk* chunk) override { return send(chunk); }
  bool onSink(RelayForwardTag, network::Chunk* chunk) override { return forward(chunk); }
  void handleData(network::Chunk* chunk);
  bool sendNow(network::Chunk* chunk);
  bool queueWrite(network::Chunk* chunk);
  bool flushBatch();
  bool batching() const;
  void pause();
  void resumeIfDrained();
  void fail(bool on_sink);
  network::ChunkPool& pool() const { return *env_->pool; }

  Owner& owner_;
  const RelayEnv* env_;
  transport::TcpSocket* source_ = nullptr;
  transport::TcpSocket* sink_ = nullptr;
  transport::TlsStream* source_tls_ = nullptr;
  transport::TlsStream* sink_tls_ = nullptr;
  stats::Counter* bytes_counter_ = nullptr;
  uint64_t bytes_ = 0;  // application bytes passed on
  Side side_;
  bool inspecting_ = false;
  bool started_ = false;  // startReading() was called
  bool stopped_ = false;  // the owner closed
  bool reading_ = false;
  bool paused_ = false;   // stopped by backpressure
  bool eof_ = false;      // the source sent FIN (or close_notify)
  bool shut_ = false;     // the sink's write half is shut
};

}  // namespace warren::session
