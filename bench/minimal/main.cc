// warren-minimal-relay: the simplest relay that terminates TLS and sends a PROXY v2 header,
// with the same kernel and the same BoringSSL as Warren. bench/compare.py runs it as the
// "minimal" column: it has none of a product's work (routing, limits, timers, statistics,
// logs), so what it spends per unit of work is what the kernel and the library cost here,
// the reference the targets must be read against (see bench/README.md).
//
// What keeps it minimal: one thread, one epoll set, each socket registered once
// (edge-triggered, never modified), the node connected at accept time in parallel with the
// TLS handshake, the PROXY header sent together with the client's first bytes, BoringSSL
// reading and writing the sockets directly (no buffer of our own for ciphertext), no
// timers, no limits, no logging, no keepalive, no routing, no statistics. Not a product:
// the first error closes both sides, and buffers are only bounded by a simple watermark.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "common/clock.h"
#include "common/event_loop.h"
#include "common/net.h"
#include "proxy_protocol/writer.h"

namespace warren::bench {
namespace {

constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
constexpr size_t kHighWatermark = 256 * 1024;
constexpr size_t kReadSize = 64 * 1024;

volatile sig_atomic_t g_stop = 0;

class Conn : public EventLoop::Handler {
 public:
  Conn(EventLoop& loop, int client_fd, int node_fd, SSL* ssl) : loop_(loop), cfd_(client_fd), nfd_(node_fd), ssl_(ssl) {}
  ~Conn() override {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }

  bool start(const Address& client, const Address& front) {
    uint8_t header[proxy_protocol::kMaxV2HeaderLengthWithoutTlvs];
    size_t n = proxy_protocol::writeV2(client, front, {}, header);
    if (n == 0) return false;
    up_.assign(reinterpret_cast<const char*>(header), n);
    header_length_ = n;
    return loop_.add(cfd_, kEvents, &client_end_) && loop_.add(nfd_, kEvents, &node_end_);
  }

  void onEvents(uint32_t) override {}  // the ends receive the events

 private:
  struct End : EventLoop::Handler {
    Conn* conn;
    bool node;
    End(Conn* c, bool n) : conn(c), node(n) {}
    void onEvents(uint32_t events) override { conn->onEvents(node, events); }
  };

  void onEvents(bool node, uint32_t events) {
    if (closed_) return;
    if (node && !connected_) {
      if (events & (EPOLLERR | EPOLLHUP)) return close();
      if (events & EPOLLOUT) connected_ = true;
    }
    // Bounded: each pass moves bytes or changes state, else the loop ends.
    for (int pass = 0; pass < 64 && !closed_ && step(); ++pass) {
    }
  }

  // One pass over everything that can move. True if anything did.
  bool step() {
    bool moved = false;
    if (ssl_ != nullptr && !handshake_done_) {
      int rc = SSL_do_handshake(ssl_);
      if (rc != 1) {
        int e = SSL_get_error(ssl_, rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) close();
        return false;
      }
      handshake_done_ = true;
      moved = true;
    }
    if (!client_eof_ && up_.size() < kHighWatermark) moved |= readClient();
    // The header waits for the client's first bytes (or its EOF): one write, one wake-up.
    if (connected_ && !node_shut_ && (up_.size() > header_length_ || client_eof_)) {
      moved |= flush(nfd_, up_);
      header_length_ = 0;
      if (client_eof_ && up_.empty() && !closed_) {
        ::shutdown(nfd_, SHUT_WR);
        node_shut_ = moved = true;
      }
    }
    if (connected_ && !node_eof_ && down_.size() < kHighWatermark) moved |= readNode();
    if (handshake_done_ || ssl_ == nullptr) moved |= flushClient();
    if (node_eof_ && down_.empty() && !client_shut_ && !closed_ && (handshake_done_ || ssl_ == nullptr)) {
      if (ssl_ != nullptr) SSL_shutdown(ssl_);
      ::shutdown(cfd_, SHUT_WR);
      client_shut_ = moved = true;
    }
    if (client_shut_ && node_shut_) close();
    return moved && !closed_;
  }

  bool readClient() {
    if (ssl_ == nullptr) return readPlain(cfd_, up_, client_eof_);
    if (!handshake_done_) return false;
    char buf[kReadSize];
    bool moved = false;
    for (int i = 0; i < 16 && up_.size() < kHighWatermark; ++i) {
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) {
        up_.append(buf, static_cast<size_t>(n));
        moved = true;
        continue;
      }
      int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && n == 0)) {
        client_eof_ = moved = true;
      } else if (e != SSL_ERROR_WANT_READ) {
        close();
      }
      break;
    }
    return moved;
  }

  bool readNode() { return readPlain(nfd_, down_, node_eof_); }

  // Reads `fd` into `buffer` until EAGAIN, EOF (sets `eof`) or the watermark.
  bool readPlain(int fd, std::string& buffer, bool& eof) {
    char buf[kReadSize];
    bool moved = false;
    for (int i = 0; i < 16 && buffer.size() < kHighWatermark; ++i) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        buffer.append(buf, static_cast<size_t>(n));
        moved = true;
        continue;
      }
      if (n == 0) {
        eof = moved = true;
      } else if (errno != EAGAIN) {
        close();
      }
      break;
    }
    return moved;
  }

  // Writes as much of `buffer` as the socket takes; true if anything was written.
  bool flush(int fd, std::string& buffer) {
    size_t done = 0;
    while (done < buffer.size()) {
      ssize_t n = ::write(fd, buffer.data() + done, buffer.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN) close();
      break;
    }
    buffer.erase(0, done);
    return done > 0;
  }

  bool flushClient() {
    if (ssl_ == nullptr) return flush(cfd_, down_);
    size_t done = 0;
    while (done < down_.size()) {
      int n = SSL_write(ssl_, down_.data() + done, static_cast<int>(down_.size() - done));
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (SSL_get_error(ssl_, n) != SSL_ERROR_WANT_WRITE) close();
      break;
    }
    down_.erase(0, done);
    return done > 0;
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    ::close(cfd_);  // closing removes them from the epoll set
    ::close(nfd_);
    loop_.retire(std::unique_ptr<EventLoop::Handler>(this));
  }

  EventLoop& loop_;
  int cfd_, nfd_;
  SSL* ssl_;
  End client_end_{this, false};
  End node_end_{this, true};
  std::string up_;    // for the node: the PROXY header, then the client's bytes
  std::string down_;  // for the client (plaintext; BoringSSL encrypts into the socket)
  size_t header_length_ = 0;
  bool connected_ = false, handshake_done_ = false, closed_ = false;
  bool client_eof_ = false, node_eof_ = false, client_shut_ = false, node_shut_ = false;
};

class Listener : public EventLoop::Handler {
 public:
  Listener(EventLoop& loop, int fd, Address front, Address backend, SSL_CTX* ctx)
      : loop_(loop), fd_(fd), front_(front), backend_(backend), ctx_(ctx) {}

  void onEvents(uint32_t) override {
    for (int i = 0; i < 256; ++i) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int cfd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (cfd < 0) return;
      int nfd = startConnect(backend_);
      if (nfd < 0) {
        ::close(cfd);
        continue;
      }
      SSL* ssl = nullptr;
      if (ctx_ != nullptr) {
        ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, cfd);
        SSL_set_accept_state(ssl);
      }
      auto* conn = new Conn(loop_, cfd, nfd, ssl);
      if (!conn->start(Address(reinterpret_cast<sockaddr*>(&ss)), front_)) {
        ::close(cfd);
        ::close(nfd);
        delete conn;
      }
    }
  }

 private:
  EventLoop& loop_;
  int fd_;
  Address front_, backend_;
  SSL_CTX* ctx_;
};

bssl::UniquePtr<SSL_CTX> serverContext(const std::string& cert, const std::string& key) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);  // tickets only
  return ctx;
}

int run(int argc, char** argv) {
  CLI::App app{"warren-minimal-relay: the simplest TLS + PROXY v2 relay (what the kernel and BoringSSL cost)"};
  std::string listen_text, backend_text, cert, key;
  app.add_option("--listen", listen_text, "IP:PORT to listen on")->required();
  app.add_option("--backend", backend_text, "IP:PORT of the node (gets PROXY v2)")->required();
  app.add_option("--cert", cert, "certificate chain (PEM): TLS on the listener");
  app.add_option("--key", key, "private key (PEM) of --cert");
  CLI11_PARSE(app, argc, argv);
  auto listen = parseHostPort(listen_text);
  auto backend = parseHostPort(backend_text);
  if (!listen || !backend || cert.empty() != key.empty()) {
    std::fprintf(stderr, "warren-minimal-relay: bad --listen, --backend or --cert/--key\n");
    return 2;
  }
  bssl::UniquePtr<SSL_CTX> ctx;
  if (!cert.empty()) {
    ctx = serverContext(cert, key);
    if (!ctx) {
      std::fprintf(stderr, "warren-minimal-relay: can not load %s / %s\n", cert.c_str(), key.c_str());
      return 2;
    }
  }
  raiseOpenFilesLimit();
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, [](int) { g_stop = 1; });
  signal(SIGINT, [](int) { g_stop = 1; });
  int lfd = listenOn(*listen, 4096);
  if (lfd < 0) {
    std::fprintf(stderr, "warren-minimal-relay: listen on %s failed: errno %d\n", listen_text.c_str(), -lfd);
    return 1;
  }
  int one = 1;
  ::setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // inherited by accepted sockets
  EventLoop loop;
  Listener listener(loop, lfd, localAddress(lfd), *backend, ctx.get());
  if (!loop.ok() || !loop.add(lfd, EPOLLIN, &listener)) return 1;
  while (g_stop == 0) loop.runOnce(nowNs() + 200'000'000);  // wakes for a stop at least 5×/s
  return 0;
}

}  // namespace
}  // namespace warren::bench

int main(int argc, char** argv) { return warren::bench::run(argc, argv); }
