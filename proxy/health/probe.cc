#include "health/probe.h"

#include <algorithm>
#include <cstring>

#include "amqp/protocol_header.h"
#include "health/check_bytes.h"
#include "network/socket_options.h"
#include "tls/diagnosis.h"

namespace warren::health {

Probe* Probe::start(uv_loop_t* loop, network::ChunkPool& pool, ProbeSpec spec, Done done) {
  auto* probe = new Probe(loop, pool, std::move(spec), std::move(done));
  probe->run();
  return probe;
}

Probe::Probe(uv_loop_t* loop, network::ChunkPool& pool, ProbeSpec spec, Done done)
    : loop_(loop), pool_(pool), spec_(std::move(spec)), done_(std::move(done)) {}

void Probe::run() {
  started_ns_ = uv_hrtime();
  socket_.open(loop_);
  socket_.setWriter(*this);
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  open_handles_ = 2;
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(spec_.timeout.count()), 0);
  const int rc = socket_.connect(spec_.node.sockAddr());
  if (rc != 0) fail(std::string("connect error ") + uv_err_name(rc));
}

void Probe::abandon() {
  done_ = nullptr;
  closeNow();
}

// The socket drops the outcome of a connect it closed meanwhile (timeout, abandon).
void Probe::onConnected(transport::TcpSocket&, int status) {
  if (stage_ != Stage::Connecting) return;
  if (status == UV_ECONNREFUSED) return fail("connect refused");
  if (status != 0) return fail(std::string("connect error ") + uv_err_name(status));
  connected();
}

void Probe::connected() {
  config::TcpOptions nodelay;  // TCP_NODELAY; keepalive is of no use to a check this short
  nodelay.keepalive = false;
  network::applyTcpOptions(socket_.fd(), nodelay);
  // A plaintext tcp check sends nothing: the connect was the check.
  if (spec_.type == config::HealthCheckType::Tcp && !spec_.tls) return pass();
  if (!startReading()) return fail("read start failed");
  sendFirstBytes();
}

// RabbitMQ reads the PROXY header from a single recv(), and before TLS: the header goes out
// alone ahead of a ClientHello, or in one write with the AMQP protocol header.
void Probe::sendFirstBytes() {
  uint8_t first[kMaxCheckProxyHeader + amqp::kProtocolHeaderSize];
  size_t n = 0;
  if (spec_.proxy_protocol != config::ProxyProtocol::None) {
    n = checkProxyHeader(spec_.proxy_protocol, spec_.proxy_mode, socket_.localAddress(), spec_.node,
                         std::span<uint8_t>(first, kMaxCheckProxyHeader));
    if (n == 0) return fail("cannot encode the PROXY header");
  }
  if (spec_.tls) {
    if (n > 0 && !writeBytes(first, n)) return;
    return startTls();
  }
  std::memcpy(first + n, amqp::kAmqp091Header.data(), amqp::kProtocolHeaderSize);
  stage_ = Stage::AwaitingStart;
  writeBytes(first, n + amqp::kProtocolHeaderSize);
}

void Probe::startTls() {
  stage_ = Stage::TlsHandshake;
  bssl::UniquePtr<SSL> ssl = spec_.tls->newSsl();
  if (!ssl) return fail("tls: out of memory");
  tls_ = std::make_unique<transport::TlsStream>(std::move(ssl), pool_);
  tls_->setCiphertextSink(static_cast<transport::TaggedSink<ProbeCiphertextTag>*>(this));
  tls_->setPlaintextSink(static_cast<transport::TaggedSink<ProbePlaintextTag>*>(this));
  if (tls_->start() == transport::TlsStream::Status::Failed && stage_ == Stage::TlsHandshake) {
    fail("tls handshake failed: " +
         tls::describeNodeHandshakeFailure(tls_->ssl(), tls_->sslError(), tls_->errorCode()));
  }
}

bool Probe::startReading() { return socket_.startReading(*this) == 0; }

void Probe::onAlloc(transport::TcpSocket&, uv_buf_t* buf) { *buf = uv_buf_init(read_buf_, sizeof read_buf_); }

void Probe::onRead(transport::TcpSocket&, ssize_t nread, const uv_buf_t*) { handleRead(nread); }

void Probe::handleRead(ssize_t nread) {
  if (nread == 0) return;
  if (stage_ == Stage::Lingering) {
    if (nread < 0) closeNow();  // the node closed its side too: done
    return;                     // anything else (its close_notify) is discarded
  }
  if (stage_ == Stage::Closing) return;
  if (nread < 0) {
    const char* where = stage_ == Stage::TlsHandshake ? "during the TLS handshake" : "before Connection.Start";
    if (nread == UV_EOF) return fail(std::string("node closed the connection ") + where);
    return fail(std::string("read error ") + uv_err_name(static_cast<int>(nread)) + " " + where);
  }
  if (!tls_) {
    received_.insert(received_.end(), read_buf_, read_buf_ + nread);
    return judgeStart();
  }
  const bool was_done = tls_->handshakeDone();
  const transport::TlsStream::Status st = tls_->feed(read_buf_, static_cast<uint32_t>(nread));
  if (stage_ == Stage::Closing || stage_ == Stage::Lingering) return;
  if (st == transport::TlsStream::Status::Failed) {
    return fail("tls handshake failed: " +
                tls::describeNodeHandshakeFailure(tls_->ssl(), tls_->sslError(), tls_->errorCode()));
  }
  if (st == transport::TlsStream::Status::PeerClosed) return fail("node sent close_notify before Connection.Start");
  if (!was_done && tls_->handshakeDone()) {
    if (spec_.type == config::HealthCheckType::Tcp) return pass();
    stage_ = Stage::AwaitingStart;
    if (tls_->write(reinterpret_cast<const char*>(amqp::kAmqp091Header.data()), amqp::kProtocolHeaderSize) ==
        transport::TlsStream::Status::Failed) {
      return fail("tls write failed");
    }
  }
  if (stage_ == Stage::AwaitingStart) judgeStart();
}

bool Probe::takePlaintext(network::Chunk* chunk) {
  const char* data = chunk->data + chunk->offset;
  received_.insert(received_.end(), data, data + chunk->length);
  pool_.put(chunk);
  return true;
}

void Probe::judgeStart() {
  const StartVerdict v = checkStartFrame(received_);
  if (v.kind == StartVerdict::Kind::Ok) return pass();
  if (v.kind == StartVerdict::Kind::Bad) fail("not an AMQP 0-9-1 broker: " + v.reason);
}

bool Probe::writeBytes(const uint8_t* data, size_t length) {
  network::Chunk* chunk = pool_.get();
  if (chunk == nullptr) {
    fail("out of memory");
    return false;
  }
  std::memcpy(chunk->data, data, length);
  chunk->offset = 0;
  chunk->length = static_cast<uint32_t>(length);
  return write(chunk);
}

bool Probe::write(network::Chunk* chunk) {
  if (closing_) {
    pool_.put(chunk);
    return false;
  }
  if (socket_.queue(chunk) != 0) {
    pool_.put(chunk);
    fail("write failed");
    return false;
  }
  return true;
}

// Every queued write ends (UV_ECANCELED when closing) before the socket reports its close.
void Probe::onWritten(network::Chunk* chunk, int) { pool_.put(chunk); }

void Probe::pass() {
  verdict(true, "");
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::Lingering;
  if (tls_ && tls_->handshakeDone()) tls_->closeNotify();
  // FIN after whatever is queued; then wait (bounded by a fresh timeout) for the node's FIN.
  if (socket_.shutdown() != 0) return closeNow();
  if (!startReading()) return closeNow();
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(spec_.timeout.count()), 0);
}

void Probe::fail(std::string reason) {
  verdict(false, std::move(reason));
  closeNow();
}

void Probe::verdict(bool ok, std::string reason) {
  if (decided_) return;  // e.g. a write error while lingering after a pass
  decided_ = true;
  result_.ok = ok;
  result_.reason = std::move(reason);
  result_.duration_us = (uv_hrtime() - started_ns_) / 1000;
}

std::string Probe::timeoutReason() const {
  switch (stage_) {
    case Stage::Connecting: return "connect timeout";
    case Stage::TlsHandshake: return "timeout in the TLS handshake";
    case Stage::AwaitingStart:
      return received_.empty() ? "timeout waiting for Connection.Start"
                               : "timeout waiting for the rest of Connection.Start (" +
                                     std::to_string(received_.size()) + " bytes received)";
    case Stage::Lingering:
    case Stage::Closing: break;
  }
  return "timeout";
}

void Probe::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<Probe*>(timer->data);
  if (self->stage_ == Stage::Lingering) return self->closeNow();  // the verdict stands
  self->fail(self->timeoutReason());
}

void Probe::closeNow() {
  if (closing_) return;
  closing_ = true;
  stage_ = Stage::Closing;
  socket_.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onTimerClosed);
}

void Probe::onClosed(transport::TcpSocket&) { handleClosed(); }
void Probe::onTimerClosed(uv_handle_t* handle) { static_cast<Probe*>(handle->data)->handleClosed(); }

// Both handles released: the Probe deletes itself, then reports.
void Probe::handleClosed() {
  if (--open_handles_ > 0) return;
  Done done = std::move(done_);
  const ProbeResult result = std::move(result_);
  delete this;
  if (done) done(result);
}

}  // namespace warren::health
