// TcpSocket: one libuv TCP socket and its bookkeeping — open, accept or connect, reading
// through whoever reads it now, a write queue of pool chunks, half-close, and close. Used by
// sessions (client and node sides) and health checks alike.
//
// Three parties hear from it, each through a narrow interface:
//  - the Owner: the connect's outcome, and that the socket is closed (after close(), once
//    libuv has released the handle; pending writes have ended by then, with UV_ECANCELED);
//  - the Reader (changeable while reading, with no system call): libuv's alloc and read,
//    with the socket they are for (one reader may read two sockets);
//  - the Writer: each queued chunk when its write ends (the writer takes it back), and the
//    end of a shutdown().
// The write queue: at most one libuv write is in flight (up to kMaxWriteChunks chunks in one
// writev); chunks queued meanwhile wait in the socket, and small ones are appended to the last
// waiting chunk (append()), so that a peer sending 1-byte writes to one that does not read
// fills chunks instead of holding one 64 KiB chunk per byte. queued() is the memory the queue
// holds (whole chunks), which is what the high watermark bounds.
// The socket never frees a chunk itself. It lives inside its owner (no allocation of its
// own, but a connect or shutdown request while one is in flight).
#pragma once

#include <uv.h>

#include <cstdint>

#include "common/address.h"
#include "network/chunk_pool.h"

namespace warren::transport {

class TcpSocket {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void onConnected(TcpSocket& socket, int status) = 0;
    virtual void onClosed(TcpSocket& socket) = 0;
  };
  class Reader {
   public:
    virtual ~Reader() = default;
    virtual void onAlloc(TcpSocket& socket, uv_buf_t* buf) = 0;
    virtual void onRead(TcpSocket& socket, ssize_t nread, const uv_buf_t* buf) = 0;
  };
  class Writer {
   public:
    virtual ~Writer() = default;
    // A queued chunk's write ended (status 0, an error, or UV_ECANCELED when closing).
    virtual void onWritten(network::Chunk* chunk, int status) = 0;
    virtual void onShutdown(int status) = 0;
  };

  // The owner is kept in the handle's data pointer (the handle is the first member, so the
  // callbacks find the socket from the handle itself): one pointer less per socket.
  explicit TcpSocket(Owner& owner) { tcp_.data = &owner; }
  ~TcpSocket();
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;

  // Initialises the handle; with a family, the socket is created now (so that options can be
  // set before a connect). A failed socket() still leaves an initialised handle: connect()
  // then reports the error.
  int open(uv_loop_t* loop, int family = AF_UNSPEC);
  int accept(uv_stream_t* server);
  int connect(const sockaddr* address);
  // The connect's outcome is not wanted any more (timeout): onConnected is not called.
  void cancelConnect() { connecting_ = false; }
  bool connecting() const { return connecting_; }

  int startReading(Reader& reader);
  void setReader(Reader& reader) { reader_ = &reader; }
  void stopReading();
  bool reading() const { return reading_; }

  void setWriter(Writer& writer) { writer_ = &writer; }
  // Writes what it can now: bytes written, UV_EAGAIN, or an error.
  int tryWrite(const uv_buf_t* bufs, unsigned count);
  // Queues a chunk's pending bytes; the writer gets it back when written. On an error the
  // chunk stays the caller's.
  int queue(network::Chunk* chunk);
  // Copies bytes to the end of the last waiting chunk if they fit there (true: the caller's
  // chunk is free again). Nothing waits while no write is in flight: then it is false.
  bool append(const char* data, uint32_t length);
  // Memory held by the write queue: the whole chunks, whatever their payload.
  uint32_t queued() const { return queued_; }
  static constexpr uint32_t kChunkCharge = sizeof(network::Chunk);
  static constexpr unsigned kMaxWriteChunks = 16;  // chunks per writev
  // FIN after everything queued; the writer hears of the end.
  int shutdown();
  // Closes now (idempotent); the owner hears when libuv is done with the handle.
  void close();
  bool isOpen() const { return open_; }
  // close() was called and libuv has not released the handle yet.
  bool closing() const { return closing_; }

  int fd() const;
  Address peerAddress() const;
  Address localAddress() const;
  uv_tcp_t* handle() { return &tcp_; }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  // A pool chunk for a read of at most `room` bytes (none: libuv reports UV_ENOBUFS).
  static void allocChunk(network::ChunkPool& pool, uint32_t room, uv_buf_t* buf);
  static network::Chunk* chunkOf(const uv_buf_t* buf) {
    return buf->base != nullptr ? network::Chunk::fromData(buf->base) : nullptr;
  }

 private:
  static void onAllocCb(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onConnectCb(uv_connect_t* req, int status);
  static void onWriteCb(uv_write_t* req, int status);
  static void onShutdownCb(uv_shutdown_t* req, int status);
  int submit(network::Chunk* first);  // one write of `first` and the chunks linked to it
  int submitWaiting();
  int startShutdown();
  void giveBack(network::Chunk* list, int status);
  static void onCloseCb(uv_handle_t* handle);

  Owner& owner() const { return *static_cast<Owner*>(tcp_.data); }
  static TcpSocket* fromHandle(void* handle);

  uv_tcp_t tcp_{};  // first: see fromHandle()
  Reader* reader_ = nullptr;
  Writer* writer_ = nullptr;
  network::Chunk* waiting_ = nullptr;  // last waiting chunk; its next is the first (a ring)
  uint32_t queued_ = 0;
  bool open_ = false;
  bool shutdown_waits_ = false;  // shutdown() called while chunks were waiting
  bool reading_ = false;
  bool connecting_ = false;
  bool closing_ = false;
};

}  // namespace warren::transport
