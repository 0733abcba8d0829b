#include "health/probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cstring>

#include "amqp/protocol_header.h"
#include "health/check_bytes.h"
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
  uv_tcp_init(loop_, &tcp_);
  uv_timer_init(loop_, &timer_);
  tcp_.data = timer_.data = connect_req_.data = shutdown_req_.data = this;
  open_handles_ = 2;
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(spec_.timeout.count()), 0);
  const int rc = uv_tcp_connect(&connect_req_, &tcp_, spec_.node.sockAddr(), onConnect);
  if (rc != 0) fail(std::string("connect error ") + uv_err_name(rc));
}

void Probe::abandon() {
  done_ = nullptr;
  closeNow();
}

void Probe::onConnect(uv_connect_t* req, int status) {
  auto* self = static_cast<Probe*>(req->data);
  if (self->stage_ != Stage::Connecting) return;  // timed out or abandoned meanwhile
  if (status == UV_ECONNREFUSED) return self->fail("connect refused");
  if (status != 0) return self->fail(std::string("connect error ") + uv_err_name(status));
  self->connected();
}

void Probe::connected() {
  const int one = 1;
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) == 0) {
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
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
    sockaddr_storage ss{};
    int len = sizeof ss;
    uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len);
    n = checkProxyHeader(spec_.proxy_protocol, spec_.proxy_mode, Address(reinterpret_cast<sockaddr*>(&ss)),
                         spec_.node, std::span<uint8_t>(first, kMaxCheckProxyHeader));
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
  tls_->setCiphertextSink(&ciphertext_);
  tls_->setPlaintextSink(&plaintext_);
  if (tls_->start() == transport::TlsStream::Status::Failed && stage_ == Stage::TlsHandshake) {
    fail("tls handshake failed: " +
         tls::describeNodeHandshakeFailure(tls_->ssl(), tls_->sslError(), tls_->errorCode()));
  }
}

bool Probe::startReading() {
  if (reading_) return true;
  reading_ = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), onAlloc, onRead) == 0;
  return reading_;
}

void Probe::onAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Probe*>(handle->data);
  *buf = uv_buf_init(self->read_buf_, sizeof self->read_buf_);
}

void Probe::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  static_cast<Probe*>(stream->data)->handleRead(nread);
}

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
  const transport::TlsStream::Status st = tls_->feed(read_buf_, static_cast<size_t>(nread));
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

bool Probe::PlaintextSink::push(network::Chunk* chunk) {
  const char* data = chunk->data + chunk->offset;
  probe->received_.insert(probe->received_.end(), data, data + chunk->length);
  probe->pool_.put(chunk);
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
  chunk->owner = &pool_;
  uv_buf_t b = chunk->pending();
  if (uv_write(&chunk->write_req, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, onWrite) != 0) {
    pool_.put(chunk);
    fail("write failed");
    return false;
  }
  return true;
}

// The pool, not the Probe, takes the chunk back: a write may end after the Probe is gone.
void Probe::onWrite(uv_write_t* req, int) {
  network::Chunk* chunk = network::Chunk::fromWriteReq(req);
  static_cast<network::ChunkPool*>(chunk->owner)->put(chunk);
}

void Probe::pass() {
  verdict(true, "");
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::Lingering;
  if (tls_ && tls_->handshakeDone()) tls_->closeNotify();
  // FIN after whatever is queued; then wait (bounded by a fresh timeout) for the node's FIN.
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_), onShutdown) != 0) return closeNow();
  if (!startReading()) return closeNow();
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(spec_.timeout.count()), 0);
}

void Probe::onShutdown(uv_shutdown_t*, int) {}

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
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onClosed);
}

void Probe::onClosed(uv_handle_t* handle) {
  auto* self = static_cast<Probe*>(handle->data);
  if (--self->open_handles_ > 0) return;
  Done done = std::move(self->done_);
  const ProbeResult result = std::move(self->result_);
  delete self;
  if (done) done(result);
}

}  // namespace warren::health
