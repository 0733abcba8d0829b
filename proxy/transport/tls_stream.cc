#include "transport/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstring>

namespace warren::transport {

const BIO_METHOD* TlsStream::bioMethod() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "warren-chunk");
    BIO_meth_set_read(m, bioRead);
    BIO_meth_set_write(m, bioWrite);
    BIO_meth_set_ctrl(m, bioCtrl);
    return m;
  }();
  return method;
}

TlsStream::TlsStream(bssl::UniquePtr<SSL> ssl, network::ChunkPool& pool) : ssl_(std::move(ssl)), pool_(pool) {
  BIO* bio = BIO_new(bioMethod());
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_.get(), bio, bio);  // SSL takes the one reference for both directions
}

TlsStream::~TlsStream() {
  if (out_ != nullptr) pool_.put(out_);
}

int TlsStream::bioRead(BIO* bio, char* out, int length) {
  auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (self->in_length_ == 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  const uint32_t n = std::min(self->in_length_, static_cast<uint32_t>(length));
  std::memcpy(out, self->in_, n);
  self->in_ += n;
  self->in_length_ -= n;
  return static_cast<int>(n);
}

int TlsStream::bioWrite(BIO* bio, const char* in, int length) {
  auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  size_t left = static_cast<size_t>(length);
  while (left > 0) {
    if (self->out_ == nullptr) {
      self->out_ = self->pool_.get();
      if (self->out_ == nullptr) return -1;
    }
    network::Chunk* c = self->out_;
    size_t room = network::Chunk::kCapacity - c->length;
    size_t n = std::min(room, left);
    std::memcpy(c->data + c->length, in, n);
    c->length += static_cast<uint32_t>(n);
    in += n;
    left -= n;
    if (c->length == network::Chunk::kCapacity && !self->flush()) return -1;
  }
  return length;
}

long TlsStream::bioCtrl(BIO*, int cmd, long, void*) {
  // BoringSSL flushes after each flight; the session flushes at the end of every call.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

bool TlsStream::flush() {
  network::Chunk* c = out_;
  out_ = nullptr;
  if (c != nullptr && (c->length == 0 || sink_failed_ || ciphertext_ == nullptr)) {
    if (c->length != 0) sink_failed_ = true;  // ciphertext that can not be delivered
    pool_.put(c);
    c = nullptr;
  }
  if (sink_failed_) return false;
  if (c != nullptr && !ciphertext_->push(c)) {  // push owns the chunk either way
    sink_failed_ = true;
    return false;
  }
  return true;
}

TlsStream::Status TlsStream::fail(int ssl_result) {
  ssl_error_ = SSL_get_error(ssl_.get(), ssl_result);
  error_code_ = static_cast<uint32_t>(ERR_peek_error());
  ERR_clear_error();
  flush();  // an alert for the peer, if BoringSSL wrote one
  return Status::Failed;
}

TlsStream::Status TlsStream::start() {
  if (SSL_is_server(ssl_.get())) return Status::Ok;
  return driveHandshake();
}

TlsStream::Status TlsStream::driveHandshake() {
  ERR_clear_error();  // so that a failure's first error code is this handshake's
  int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    handshake_done_ = true;
    if (!flush()) return Status::Failed;
    return Status::HandshakeDone;
  }
  if (SSL_get_error(ssl_.get(), rc) == SSL_ERROR_WANT_READ) {
    return flush() ? Status::Ok : Status::Failed;
  }
  return fail(rc);
}

TlsStream::Status TlsStream::feed(const char* data, uint32_t length) {
  in_ = data;
  in_length_ = length;
  Status result = Status::Ok;
  if (!handshake_done_) {
    result = driveHandshake();
    if (result != Status::HandshakeDone) {
      in_length_ = 0;
      return result;
    }
  }
  Status read = readPlaintext();
  in_length_ = 0;
  return read == Status::Ok ? result : read;
}

TlsStream::Status TlsStream::readPlaintext() {
  for (;;) {
    network::Chunk* c = pool_.get();
    if (c == nullptr) return Status::Failed;
    // SSL_read returns one record at a time (16 KB at most): gather records until the
    // chunk is full, so that the sink gets one write (and its peer one wake-up) per chunk.
    int n = 0;
    while (c->length < network::Chunk::kCapacity) {
      n = SSL_read(ssl_.get(), c->data + c->length, static_cast<int>(network::Chunk::kCapacity - c->length));
      if (n <= 0) break;
      c->length += static_cast<uint32_t>(n);
    }
    if (c->length > 0) {
      plaintext_in_ += c->length;
      if (plaintext_ == nullptr || !plaintext_->push(c)) return Status::Failed;
      if (n > 0) continue;  // the chunk is full: more may be buffered
    } else {
      pool_.put(c);
    }
    int err = SSL_get_error(ssl_.get(), n);
    if (err == SSL_ERROR_WANT_READ) {
      // Reading may have produced output (e.g. a key update or ticket ack): send it.
      return flush() ? Status::Ok : Status::Failed;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      flush();
      return Status::PeerClosed;
    }
    return fail(n);
  }
}

TlsStream::Status TlsStream::write(const char* data, size_t length) {
  while (length > 0) {
    int chunk = static_cast<int>(std::min<size_t>(length, 1 << 30));
    int n = SSL_write(ssl_.get(), data, chunk);
    if (n <= 0) return fail(n);
    data += n;
    length -= static_cast<size_t>(n);
  }
  return flush() ? Status::Ok : Status::Failed;
}

TlsStream::Status TlsStream::closeNotify() {
  int rc = SSL_shutdown(ssl_.get());
  if (rc < 0) return fail(rc);
  return flush() ? Status::Ok : Status::Failed;
}

}  // namespace warren::transport
