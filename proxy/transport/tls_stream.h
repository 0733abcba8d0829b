// TlsStream: one TLS endpoint (a session's client or node side, a health check's node
// side), driven by its owner's own reads and writes. BoringSSL sees a custom BIO with no storage of its
// own: reads come straight from the chunk just received, writes go into a pool chunk
// that is handed on as soon as it is full or the operation ends. An idle TLS connection
// therefore holds no I/O buffer at all (BoringSSL releases its record buffers when empty).
//
// Outputs are two ChunkSinks: `ciphertext` (towards this endpoint's socket) and
// `plaintext` (towards the other side of the session). Both take ownership of chunks.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>

#include "network/chunk_pool.h"
#include "transport/chunk_sink.h"

namespace warren::transport {

class TlsStream {
 public:
  enum class Status {
    Ok,              // progress; nothing special
    HandshakeDone,   // the handshake completed during this call
    PeerClosed,      // close_notify received: the peer's write half is done
    Failed,          // fatal TLS error (see sslError()/errorCode()) or a sink refused
  };

  TlsStream(bssl::UniquePtr<SSL> ssl, network::ChunkPool& pool);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  void setCiphertextSink(ChunkSink* sink) { ciphertext_ = sink; }
  void setPlaintextSink(ChunkSink* sink) { plaintext_ = sink; }

  // Client mode: sends the ClientHello. Server mode: nothing to do until feed().
  Status start();
  // Ciphertext from the network: continues the handshake, then decrypts; every byte of
  // `data` is consumed. Plaintext goes to the plaintext sink.
  Status feed(const char* data, uint32_t length);
  // Plaintext to encrypt; all of it is consumed, records go to the ciphertext sink.
  Status write(const char* data, size_t length);
  // Sends close_notify (our write half is done).
  Status closeNotify();

  bool handshakeDone() const { return handshake_done_; }
  SSL* ssl() const { return ssl_.get(); }
  // Details of the last Failed result.
  int sslError() const { return ssl_error_; }
  uint32_t errorCode() const { return error_code_; }
  // Plaintext bytes decrypted so far.
  uint64_t plaintextIn() const { return plaintext_in_; }

 private:
  static int bioRead(BIO* bio, char* out, int length);
  static int bioWrite(BIO* bio, const char* in, int length);
  static long bioCtrl(BIO* bio, int cmd, long larg, void* parg);
  static const BIO_METHOD* bioMethod();

  Status driveHandshake();
  Status readPlaintext();
  Status fail(int ssl_result);
  bool flush();

  bssl::UniquePtr<SSL> ssl_;
  network::ChunkPool& pool_;
  ChunkSink* ciphertext_ = nullptr;
  ChunkSink* plaintext_ = nullptr;
  const char* in_ = nullptr;  // unread input of the current feed()
  network::Chunk* out_ = nullptr;  // ciphertext being gathered
  uint64_t plaintext_in_ = 0;
  uint32_t in_length_ = 0;  // feed() takes at most one chunk (network::Chunk::kCapacity)
  int ssl_error_ = 0;
  uint32_t error_code_ = 0;
  bool sink_failed_ = false;
  bool handshake_done_ = false;
};

}  // namespace warren::transport
