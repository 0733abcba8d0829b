#include "transport/tcp_socket.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
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
  waiting_ = nullptr;
  shutdown_waits_ = false;
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
  if (queued_ == 0) {  // nothing in flight: write it now
    chunk->next = nullptr;
    const int rc = submit(chunk);
    if (rc == 0) queued_ += kChunkCharge;
    return rc;
  }
  if (waiting_ == nullptr) {
    chunk->next = chunk;
  } else {
    chunk->next = waiting_->next;
    waiting_->next = chunk;
  }
  waiting_ = chunk;
  queued_ += kChunkCharge;
  return 0;
}

bool TcpSocket::append(const char* data, uint32_t length) {
  network::Chunk* last = waiting_;
  if (last == nullptr || network::Chunk::kCapacity - last->offset - last->length < length) return false;
  std::memcpy(last->data + last->offset + last->length, data, length);
  last->length += length;
  return true;
}

int TcpSocket::submit(network::Chunk* first) {
  uv_buf_t bufs[kMaxWriteChunks];
  unsigned n = 0;
  for (network::Chunk* c = first; c != nullptr; c = c->next) bufs[n++] = c->pending();
  return uv_write(&first->write_req, stream(), bufs, n, onWriteCb);
}

// Up to kMaxWriteChunks waiting chunks become the write in flight (a list ending in null).
int TcpSocket::submitWaiting() {
  network::Chunk* first = waiting_->next;
  network::Chunk* last = first;
  for (unsigned n = 1; n < kMaxWriteChunks && last != waiting_; ++n) last = last->next;
  if (last == waiting_) {
    waiting_ = nullptr;
  } else {
    waiting_->next = last->next;
  }
  last->next = nullptr;
  return submit(first);
}

void TcpSocket::onWriteCb(uv_write_t* req, int status) {
  network::Chunk* chunk = network::Chunk::fromWriteReq(req);
  auto* self = static_cast<TcpSocket*>(chunk->owner);
  // The next write starts before the writer hears of this one, so that what it does then
  // (queue more, shut down, close) finds the queue as it is.
  network::Chunk* dropped = nullptr;  // waiting chunks that will never be written
  int dropped_status = status != 0 ? status : UV_ECANCELED;
  int shutdown_status = 0;
  if (self->waiting_ != nullptr) {
    const int rc = status == 0 && self->open_ ? self->submitWaiting() : dropped_status;
    if (rc != 0) {
      dropped_status = rc;
      dropped = self->waiting_->next;
      self->waiting_->next = nullptr;
      self->waiting_ = nullptr;
    } else if (self->waiting_ == nullptr && self->shutdown_waits_) {
      self->shutdown_waits_ = false;
      shutdown_status = self->startShutdown();
    }
  }
  if (self->waiting_ == nullptr) self->shutdown_waits_ = false;
  self->giveBack(chunk, status);
  self->giveBack(dropped, dropped_status);
  if (shutdown_status != 0) self->writer_->onShutdown(shutdown_status);
}

// Hands a list of chunks (ending in null) back to the writer, each with `status`.
void TcpSocket::giveBack(network::Chunk* list, int status) {
  while (list != nullptr) {
    network::Chunk* next = list->next;
    list->next = nullptr;
    queued_ -= kChunkCharge;
    writer_->onWritten(list, status);
    list = next;
  }
}

int TcpSocket::shutdown() {
  if (waiting_ != nullptr) {  // libuv sends the FIN after its own queue: the waiting chunks go first
    shutdown_waits_ = true;
    return 0;
  }
  return startShutdown();
}

int TcpSocket::startShutdown() {
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
