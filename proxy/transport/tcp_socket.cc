#include "transport/tcp_socket.h"

#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace warren::transport {

// A handle is its socket's first member (the socket is standard-layout).
TcpSocket* TcpSocket::fromHandle(void* handle) {
  static_assert(std::is_standard_layout_v<TcpSocket>);
  static_assert(offsetof(TcpSocket, tcp_) == 0);
  return reinterpret_cast<TcpSocket*>(handle);
}

namespace {

Address socketAddress(const uv_tcp_t* tcp, bool peer) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  const int rc = peer ? uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len)
                      : uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  return rc == 0 ? Address(reinterpret_cast<sockaddr*>(&ss)) : Address();
}

}  // namespace

TcpSocket::~TcpSocket() = default;

int TcpSocket::open(uv_loop_t* loop, int family) {
  void* owner = tcp_.data;
  int rc = family == AF_UNSPEC ? uv_tcp_init(loop, &tcp_) : uv_tcp_init_ex(loop, &tcp_, family);
  if (rc != 0 && family != AF_UNSPEC) uv_tcp_init(loop, &tcp_);  // no socket (EMFILE…): connect reports it
  tcp_.data = owner;
  open_ = true;
  reading_ = false;
  queued_ = 0;
  return rc;
}

int TcpSocket::accept(uv_stream_t* server) { return uv_accept(server, stream()); }

int TcpSocket::connect(const sockaddr* address) {
  auto* req = new uv_connect_t;
  req->data = this;
  connecting_ = true;
  const int rc = uv_tcp_connect(req, &tcp_, address, onConnectCb);
  if (rc != 0) {
    connecting_ = false;
    delete req;
  }
  return rc;
}

void TcpSocket::onConnectCb(uv_connect_t* req, int status) {
  auto* self = static_cast<TcpSocket*>(req->data);
  delete req;
  if (!self->connecting_) return;  // cancelled by a timeout or a close
  self->connecting_ = false;
  self->owner().onConnected(*self, status);
}

int TcpSocket::startReading(Reader& reader) {
  reader_ = &reader;
  if (reading_) return 0;
  const int rc = uv_read_start(stream(), onAllocCb, onReadCb);
  reading_ = rc == 0;
  return rc;
}

void TcpSocket::stopReading() {
  if (!reading_) return;
  reading_ = false;
  uv_read_stop(stream());
}

void TcpSocket::onAllocCb(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = fromHandle(handle);
  self->reader_->onAlloc(*self, buf);
}

void TcpSocket::onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = fromHandle(stream);
  self->reader_->onRead(*self, nread, buf);
}

void TcpSocket::allocChunk(network::ChunkPool& pool, uint32_t room, uv_buf_t* buf) {
  network::Chunk* chunk = pool.get();
  *buf = chunk != nullptr ? uv_buf_init(chunk->data, std::min(room, network::Chunk::kCapacity))
                          : uv_buf_init(nullptr, 0);
}

int TcpSocket::tryWrite(const uv_buf_t* bufs, unsigned count) { return uv_try_write(stream(), bufs, count); }

int TcpSocket::queue(network::Chunk* chunk) {
  chunk->owner = this;
  uv_buf_t b = chunk->pending();
  const int rc = uv_write(&chunk->write_req, stream(), &b, 1, onWriteCb);
  if (rc == 0) queued_ += chunk->length;
  return rc;
}

void TcpSocket::onWriteCb(uv_write_t* req, int status) {
  network::Chunk* chunk = network::Chunk::fromWriteReq(req);
  auto* self = static_cast<TcpSocket*>(chunk->owner);
  self->queued_ -= chunk->length;
  self->writer_->onWritten(chunk, status);
}

int TcpSocket::shutdown() {
  auto* req = new uv_shutdown_t;
  req->data = this;
  const int rc = uv_shutdown(req, stream(), onShutdownCb);
  if (rc != 0) delete req;
  return rc;
}

void TcpSocket::onShutdownCb(uv_shutdown_t* req, int status) {
  auto* self = static_cast<TcpSocket*>(req->data);
  delete req;
  if (self->writer_ != nullptr) self->writer_->onShutdown(status);
}

void TcpSocket::close() {
  if (!open_) return;
  open_ = false;
  reading_ = false;
  connecting_ = false;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onCloseCb);
}

void TcpSocket::onCloseCb(uv_handle_t* handle) {
  auto* self = fromHandle(handle);
  self->closing_ = false;
  self->owner().onClosed(*self);
}

int TcpSocket::fd() const {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd);
  return fd;
}

Address TcpSocket::peerAddress() const { return socketAddress(&tcp_, /*peer=*/true); }
Address TcpSocket::localAddress() const { return socketAddress(&tcp_, /*peer=*/false); }

}  // namespace warren::transport
