#include "session/relay.h"

#include "network/socket_options.h"

namespace warren::session {

namespace {

// Chunks gathered for a sink while one read is handled (see Relay::send): at most one relay
// of a thread handles a read at a time, so one batch per thread serves them all.
struct Batch {
  static constexpr uint32_t kMax = 8;
  const Relay* relay = nullptr;
  network::Chunk* chunks[kMax] = {};
  uint32_t count = 0;
};
thread_local Batch t_batch;

}  // namespace

void Relay::attach(transport::TcpSocket& source, transport::TcpSocket& sink) {
  source_ = &source;
  sink_ = &sink;
  sink.setWriter(*this);
}

int Relay::startReading() {
  started_ = true;
  reading_ = true;
  return source_->startReading(*this);
}

void Relay::stop() {
  stopped_ = true;
  if (t_batch.relay == this) {
    for (uint32_t i = 0; i < t_batch.count; ++i) pool().put(t_batch.chunks[i]);
    t_batch.count = 0;
  }
}

bool Relay::batching() const { return t_batch.relay == this; }

void Relay::onAlloc(transport::TcpSocket&, uv_buf_t* buf) {
  // Never read more than the high watermark allows: queued + this read ≤ limit (queued
  // counts the memory of whole chunks, see TcpSocket::queued()).
  const uint32_t limit = env_->high_watermark;
  const uint32_t queued = sink_->queued();
  transport::TcpSocket::allocChunk(pool(), limit > queued ? limit - queued : 1, buf);
}

void Relay::onRead(transport::TcpSocket&, ssize_t nread, const uv_buf_t* buf) {
  network::Chunk* chunk = transport::TcpSocket::chunkOf(buf);
  if (nread > 0) {
    chunk->length = static_cast<uint32_t>(nread);
    owner_.onRelayActivity(*this, /*from_source=*/true);
    t_batch.relay = this;
    handleData(chunk);
    t_batch.relay = nullptr;
    flushBatch();
    return;
  }
  if (chunk != nullptr) pool().put(chunk);
  if (nread == UV_EOF) {
    handleEof();
  } else if (nread < 0) {
    if (nread == UV_ENOBUFS) {
      owner_.onRelayFailed(*this, CloseReason::InternalError);
    } else {
      fail(/*on_sink=*/false);
    }
  }
}

void Relay::handleData(network::Chunk* chunk) {
  if (source_tls_ == nullptr) {
    forward(chunk);
    return;
  }
  // Decrypt: the plaintext comes back through this relay's forward() (the TLS stream's
  // plaintext sink); the ciphertext chunk is done with.
  const auto st = source_tls_->feed(chunk->data + chunk->offset, chunk->length);
  pool().put(chunk);
  if (st == transport::TlsStream::Status::PeerClosed) {
    t_batch.relay = nullptr;
    if (flushBatch()) handleEof();  // what came before the close_notify goes first
  } else if (st == transport::TlsStream::Status::Failed && !stopped_) {
    owner_.onRelayFailed(*this, side_ == Side::Up ? CloseReason::TlsError : CloseReason::NodeError);
  }
}

bool Relay::forward(network::Chunk* chunk) {
  // AMQP listeners: the handshake is read on its way through; afterwards this is one
  // flag test per chunk.
  if (inspecting_ && !owner_.onRelayData(*this, *chunk)) {
    pool().put(chunk);
    return false;
  }
  addBytes(chunk->length);
  if (sink_tls_ == nullptr) return send(chunk);
  // Encrypt: the records come back through send() (the sink-side TLS stream's ciphertext
  // sink is this relay's SendSink).
  const auto st = sink_tls_->write(chunk->data + chunk->offset, chunk->length);
  pool().put(chunk);
  if (st != transport::TlsStream::Status::Ok) {
    fail(/*on_sink=*/true);
    return false;
  }
  return true;
}

void Relay::addBytes(uint32_t n) {
  bytes_ += n;
  // Counted as relayed (not at close), so that long-lived AMQP connections show up live.
  if (bytes_counter_ != nullptr) bytes_counter_->add(n);
}

bool Relay::send(network::Chunk* chunk) {
  if (stopped_) {
    pool().put(chunk);
    return false;
  }
  if (batching() && sink_->queued() == 0) {
    if (t_batch.count == Batch::kMax && !flushBatch()) {
      pool().put(chunk);
      return false;
    }
    if (sink_->queued() == 0) {
      t_batch.chunks[t_batch.count++] = chunk;
      return true;
    }
  }
  if (batching() && t_batch.count > 0 && !flushBatch()) {  // keep the order: what was gathered goes first
    pool().put(chunk);
    return false;
  }
  return sendNow(chunk);
}

bool Relay::flushBatch() {
  // Called inside the read (batch still this relay's) or right after it (batch released,
  // its chunks still this relay's): either way the gathered chunks are ours.
  const uint32_t n = t_batch.count;
  t_batch.count = 0;
  if (n == 0) return true;
  network::Chunk* chunks[Batch::kMax];
  for (uint32_t i = 0; i < n; ++i) chunks[i] = t_batch.chunks[i];
  if (stopped_) {
    for (uint32_t i = 0; i < n; ++i) pool().put(chunks[i]);
    return false;
  }
  if (n == 1) return sendNow(chunks[0]);
  uv_buf_t bufs[Batch::kMax];
  for (uint32_t i = 0; i < n; ++i) bufs[i] = chunks[i]->pending();
  const int written = sink_->tryWrite(bufs, n);
  if (written < 0 && written != UV_EAGAIN) {
    for (uint32_t i = 0; i < n; ++i) pool().put(chunks[i]);
    fail(/*on_sink=*/true);
    return false;
  }
  size_t done = written > 0 ? static_cast<size_t>(written) : 0;
  for (uint32_t i = 0; i < n; ++i) {
    network::Chunk* c = chunks[i];
    if (done >= c->length) {
      done -= c->length;
      pool().put(c);
      continue;
    }
    c->offset += static_cast<uint32_t>(done);
    c->length -= static_cast<uint32_t>(done);
    done = 0;
    if (!queueWrite(c)) {
      for (uint32_t j = i + 1; j < n; ++j) pool().put(chunks[j]);
      return false;
    }
  }
  return true;
}

bool Relay::sendNow(network::Chunk* chunk) {
  if (sink_->queued() == 0) {
    // Fast path: the sink has nothing pending, so write now and recycle the chunk at once.
    uv_buf_t b = chunk->pending();
    const int n = sink_->tryWrite(&b, 1);
    if (n == static_cast<int>(b.len)) {
      pool().put(chunk);
      return true;
    }
    if (n > 0) {
      chunk->offset += static_cast<uint32_t>(n);
      chunk->length -= static_cast<uint32_t>(n);
    } else if (n != UV_EAGAIN) {
      pool().put(chunk);
      fail(/*on_sink=*/true);
      return false;
    }
  }
  return queueWrite(chunk);
}

bool Relay::queueWrite(network::Chunk* chunk) {
  const uint32_t length = chunk->length;
  if (sink_->append(chunk->data + chunk->offset, length)) {
    pool().put(chunk);  // small: copied into the last waiting chunk
  } else if (sink_->queue(chunk) != 0) {
    pool().put(chunk);
    fail(/*on_sink=*/true);
    return false;
  }
  env_->stats->buffered_bytes.add(length);
  if (sink_->queued() >= env_->high_watermark) pause();
  return true;
}

void Relay::onWritten(network::Chunk* chunk, int status) {
  env_->stats->buffered_bytes.sub(chunk->length);
  pool().put(chunk);
  if (status == UV_ECANCELED || stopped_) return;  // closing
  if (status < 0) {
    fail(/*on_sink=*/true);
    return;
  }
  owner_.onRelayActivity(*this, /*from_source=*/false);
  resumeIfDrained();
}

void Relay::pause() {
  if (!reading_) return;
  source_->stopReading();
  reading_ = false;
  paused_ = true;
  env_->stats->backpressure_pauses.add();
}

void Relay::resumeIfDrained() {
  if (!paused_ || eof_ || !started_ || stopped_) return;
  if (sink_->queued() > env_->low_watermark) return;
  paused_ = false;
  env_->stats->backpressure_resumes.add();
  owner_.onRelayActivity(*this, /*from_source=*/true);  // the pause was ours: the source was not silent
  if (startReading() != 0) owner_.onRelayFailed(*this, CloseReason::InternalError);
}

void Relay::handleEof() {
  if (eof_ || stopped_) return;
  eof_ = true;
  reading_ = false;
  source_->stopReading();  // after a close_notify the socket may still be open
  owner_.onRelayEof(*this);
  if (stopped_) return;  // the owner closed the session
  // close_notify and the FIN in one segment: corked, the alert waits for the FIN, which
  // shutdown() sends together with whatever is pending. One wake-up of the peer, not two.
  if (sink_tls_ != nullptr) {
    network::setCork(sink_->fd(), true);
    if (sink_tls_->closeNotify() != transport::TlsStream::Status::Ok) {
      fail(/*on_sink=*/true);
      return;
    }
  }
  // Half-close: libuv sends the FIN after everything queued for the sink is written.
  if (sink_->shutdown() != 0) fail(/*on_sink=*/true);
}

void Relay::onShutdown(int status) {
  if (status == UV_ECANCELED || stopped_) return;
  if (status < 0) {
    fail(/*on_sink=*/true);
    return;
  }
  shut_ = true;
  owner_.onRelayShut(*this);
}

void Relay::fail(bool on_sink) {
  if (stopped_) return;
  const bool client_side = (side_ == Side::Up) != on_sink;  // Up: source = client, sink = node
  owner_.onRelayFailed(*this, client_side ? CloseReason::ClientError : CloseReason::NodeError);
}

}  // namespace warren::session
