// One direction of a session: read a chunk from the source, write that chunk to the sink.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "network/socket_options.h"
#include "session/session.h"

namespace warren::session {

int Relay::startReading() {
  reading_ = true;
  return uv_read_start(reinterpret_cast<uv_stream_t*>(source_), onAlloc, onRead);
}

void Relay::onAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  Relay& self = relayFor(handle);
  network::Chunk* chunk = self.session_.host_.chunks().get();
  if (chunk == nullptr) {
    *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS
    return;
  }
  // Never read more than the high watermark allows: `queued_` + this read ≤ limit.
  uint32_t limit = self.session_.host_.global().buffer_high_watermark;
  uint32_t room = limit > self.queued_ ? limit - self.queued_ : 1;
  *buf = uv_buf_init(chunk->data, std::min(room, network::Chunk::kCapacity));
}

void Relay::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  relayFor(reinterpret_cast<uv_handle_t*>(stream)).handleRead(nread, buf);
}

void Relay::handleRead(ssize_t nread, const uv_buf_t* buf) {
  network::Chunk* chunk = buf->base != nullptr ? network::Chunk::fromData(buf->base) : nullptr;
  if (nread > 0) {
    chunk->length = static_cast<uint32_t>(nread);
    session_.touch(side_);
    batching_ = true;
    handleData(chunk);
    batching_ = false;
    flushBatch();
    return;
  }
  if (chunk != nullptr) session_.host_.chunks().put(chunk);
  if (nread == UV_EOF) {
    handleEof();
  } else if (nread < 0) {
    session_.fail(nread == UV_ENOBUFS ? CloseReason::InternalError : errorReason(/*on_sink=*/false));
  }
}

void Relay::handleData(network::Chunk* chunk) {
  if (source_tls_ == nullptr) {
    forward(chunk);
    return;
  }
  // Decrypt: the plaintext comes back through this relay's forward() (the TLS stream's
  // plaintext sink); the ciphertext chunk is done with.
  TlsStream::Status st = source_tls_->feed(chunk->data + chunk->offset, chunk->length);
  session_.host_.chunks().put(chunk);
  if (st == TlsStream::Status::PeerClosed) {
    batching_ = false;
    if (flushBatch()) handleEof();  // what came before the close_notify goes first
  } else if (st == TlsStream::Status::Failed) {
    session_.fail(side_ == Side::Up ? CloseReason::TlsError : CloseReason::NodeError);
  }
}

bool Relay::forward(network::Chunk* chunk) {
  // AMQP listeners: the handshake is read on its way through; afterwards this is one
  // null check per chunk.
  if (session_.sniffer_ != nullptr && !session_.sniff(side_, *chunk)) {
    session_.host_.chunks().put(chunk);
    return false;
  }
  bytes_ += chunk->length;
  // Counted as relayed (not at close), so that long-lived AMQP connections show up live.
  (side_ == Side::Up ? session_.lstats().bytes_up : session_.lstats().bytes_down).add(chunk->length);
  if (sink_tls_ == nullptr) return send(chunk);
  // Encrypt: the records come back through this relay's send() (the sink-side TLS
  // stream's ciphertext sink is this relay's SendSink).
  TlsStream::Status st = sink_tls_->write(chunk->data + chunk->offset, chunk->length);
  session_.host_.chunks().put(chunk);
  if (st != TlsStream::Status::Ok) {
    session_.fail(errorReason(/*on_sink=*/true));
    return false;
  }
  return true;
}

bool Relay::send(network::Chunk* chunk) {
  chunk->owner = this;
  if (batching_ && queued_ == 0 && session_.stage_ != Session::Stage::Closing) {
    if (batch_count_ == kBatch && !flushBatch()) {
      session_.host_.chunks().put(chunk);
      return false;
    }
    if (queued_ == 0) {
      batch_[batch_count_++] = chunk;
      return true;
    }
  }
  if (batch_count_ > 0 && !flushBatch()) {  // keep the order: what was gathered goes first
    session_.host_.chunks().put(chunk);
    return false;
  }
  return sendNow(chunk);
}

bool Relay::flushBatch() {
  const uint32_t n = batch_count_;
  batch_count_ = 0;
  if (n == 0) return true;
  network::ChunkPool& pool = session_.host_.chunks();
  if (session_.stage_ == Session::Stage::Closing) {
    for (uint32_t i = 0; i < n; ++i) pool.put(batch_[i]);
    return false;
  }
  if (n == 1) return sendNow(batch_[0]);
  uv_buf_t bufs[kBatch];
  for (uint32_t i = 0; i < n; ++i) bufs[i] = batch_[i]->pending();
  int written = uv_try_write(reinterpret_cast<uv_stream_t*>(sink_), bufs, n);
  if (written < 0 && written != UV_EAGAIN) {
    for (uint32_t i = 0; i < n; ++i) pool.put(batch_[i]);
    session_.fail(errorReason(/*on_sink=*/true));
    return false;
  }
  size_t done = written > 0 ? static_cast<size_t>(written) : 0;
  for (uint32_t i = 0; i < n; ++i) {
    network::Chunk* c = batch_[i];
    if (done >= c->length) {
      done -= c->length;
      pool.put(c);
      continue;
    }
    c->offset += static_cast<uint32_t>(done);
    c->length -= static_cast<uint32_t>(done);
    done = 0;
    if (!queueWrite(c)) {
      for (uint32_t j = i + 1; j < n; ++j) pool.put(batch_[j]);
      return false;
    }
  }
  return true;
}

bool Relay::sendNow(network::Chunk* chunk) {
  if (queued_ == 0) {
    // Fast path: the sink has nothing pending, so write now and recycle the chunk at once.
    uv_buf_t b = chunk->pending();
    int n = uv_try_write(reinterpret_cast<uv_stream_t*>(sink_), &b, 1);
    if (n == static_cast<int>(b.len)) {
      session_.host_.chunks().put(chunk);
      return true;
    }
    if (n > 0) {
      chunk->offset += static_cast<uint32_t>(n);
      chunk->length -= static_cast<uint32_t>(n);
    } else if (n != UV_EAGAIN) {
      session_.host_.chunks().put(chunk);
      session_.fail(errorReason(/*on_sink=*/true));
      return false;
    }
  }
  return queueWrite(chunk);
}

bool Relay::queueWrite(network::Chunk* chunk) {
  uv_buf_t b = chunk->pending();
  int rc = uv_write(&chunk->write_req, reinterpret_cast<uv_stream_t*>(sink_), &b, 1, onWrite);
  if (rc != 0) {
    session_.host_.chunks().put(chunk);
    session_.fail(errorReason(/*on_sink=*/true));
    return false;
  }
  queued_ += chunk->length;
  session_.host_.stats().buffered_bytes += chunk->length;
  if (queued_ >= session_.host_.global().buffer_high_watermark) pause();
  return true;
}

void Relay::onWrite(uv_write_t* req, int status) {
  network::Chunk* chunk = network::Chunk::fromWriteReq(req);
  Relay& self = *static_cast<Relay*>(chunk->owner);
  self.queued_ -= chunk->length;
  self.session_.host_.stats().buffered_bytes -= chunk->length;
  self.session_.host_.chunks().put(chunk);
  if (status == UV_ECANCELED) return;  // the session is closing
  if (status < 0) {
    self.session_.fail(self.errorReason(/*on_sink=*/true));
    return;
  }
  self.session_.touch();
  self.resumeIfDrained();
}

void Relay::pause() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(source_));
  reading_ = false;
  paused_ = true;
  ++session_.host_.stats().backpressure_pauses;
}

void Relay::resumeIfDrained() {
  if (!paused_ || eof_ || session_.stage_ != Session::Stage::Relaying) return;
  if (queued_ > session_.host_.global().buffer_low_watermark) return;
  paused_ = false;
  ++session_.host_.stats().backpressure_resumes;
  session_.touch(side_);  // the pause was ours: the source was not silent meanwhile
  if (startReading() != 0) session_.close(CloseReason::InternalError);
}

void Relay::handleEof() {
  if (eof_) return;
  eof_ = true;
  reading_ = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(source_));  // after a close_notify the socket may still be open
  session_.noteEof(side_);
  // close_notify and the FIN in one segment: corked, the alert waits for the FIN, which
  // shutdown() sends together with whatever is pending. One wake-up of the peer, not two.
  if (sink_tls_ != nullptr) network::setCork(network::fdOf(sink_), true);
  if (sink_tls_ != nullptr && sink_tls_->closeNotify() != TlsStream::Status::Ok) {
    session_.fail(errorReason(/*on_sink=*/true));
    return;
  }
  // Half-close: libuv sends the FIN after everything queued for the sink is written.
  shutdown_req_.data = this;
  int rc = uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(sink_), onShutdown);
  if (rc != 0) session_.fail(errorReason(/*on_sink=*/true));
}

void Relay::onShutdown(uv_shutdown_t* req, int status) {
  Relay& self = *static_cast<Relay*>(req->data);
  if (status == UV_ECANCELED) return;
  if (status < 0) {
    self.session_.fail(self.errorReason(/*on_sink=*/true));
    return;
  }
  self.shut_ = true;
  self.session_.checkFinished();
}

CloseReason Relay::errorReason(bool on_sink) const {
  bool client_side = (side_ == Side::Up) != on_sink;  // Up: source = client, sink = node
  return client_side ? CloseReason::ClientError : CloseReason::NodeError;
}

Relay& Relay::relayFor(uv_handle_t* handle) {
  auto* session = static_cast<Session*>(handle->data);
  return handle == reinterpret_cast<uv_handle_t*>(&session->client_) ? session->up_ : session->down_;
}

}  // namespace warren::session
