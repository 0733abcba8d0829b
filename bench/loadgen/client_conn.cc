#include "loadgen/client_conn.h"

#include <errno.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "common/net.h"
#include "proxy_protocol/writer.h"

namespace warren::bench {

void Counters::error(std::string_view kind) {
  ++errors;
  ++error_kinds[std::string(kind)];
}

ClientConn::ClientConn(ConnEnv& env, Command command) : env_(env), command_(encodeCommand(command)) {}

ClientConn::~ClientConn() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) close(fd_);
}

bool ClientConn::start(int64_t now_ns) {
  started_ns_ = now_ns;
  const int fd = startConnect(env_.options.target);
  if (fd < 0) {
    env_.counters.error(fd == -EMFILE || fd == -ENFILE ? "too_many_open_files" : "connect");
    return false;
  }
  fd_ = fd;
  if (!env_.loop.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this)) {
    env_.counters.error("epoll");
    close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

void ClientConn::onEvents(uint32_t events) {
  if (fd_ < 0) return;
  if (state_ == State::Connecting) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return fail(error == ECONNREFUSED ? "connect_refused" : "connect");
    if (env_.options.send_proxy_v2) {
      // The PROXY header a proxy would have written: our real endpoints.
      proxy_len_ = proxy_protocol::writeV2(localAddress(fd_), peerAddress(fd_), {},
                                           std::span<uint8_t>(proxy_header_, sizeof proxy_header_));
      if (proxy_len_ == 0) return fail("proxy_header");
      state_ = State::SendingProxy;
    } else {
      state_ = env_.ssl_ctx != nullptr ? State::Handshaking : State::SendingCommand;
    }
  }
  advance();
}

void ClientConn::advance() {
  while (fd_ >= 0) {
    switch (state_) {
      case State::Connecting:
        return;
      case State::SendingProxy:
        if (!sendProxyHeader()) return;
        state_ = env_.ssl_ctx != nullptr ? State::Handshaking : State::SendingCommand;
        break;
      case State::Handshaking:
        if (!handshake()) return;
        state_ = State::SendingCommand;
        break;
      case State::SendingCommand: {
        size_t put = 0;
        const Io io = writeSome(command_.data() + command_sent_, command_.size() - command_sent_, put);
        if (io == Io::Blocked) return;
        if (io != Io::Ok) return failIo(io, "command");
        command_sent_ += put;
        if (command_sent_ == command_.size()) {
          state_ = State::Running;
          env_.owner.onEstablished(*this);
        }
        break;
      }
      case State::Running:
        return run();
    }
  }
}

bool ClientConn::sendProxyHeader() {
  while (proxy_sent_ < proxy_len_) {
    const ssize_t n = send(fd_, proxy_header_ + proxy_sent_, proxy_len_ - proxy_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      proxy_sent_ += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return false;
    } else {
      fail("proxy_header");
      return false;
    }
  }
  return true;
}

bool ClientConn::handshake() {
  if (ssl_ == nullptr) {
    ssl_ = SSL_new(env_.ssl_ctx);
    if (ssl_ == nullptr || !SSL_set_fd(ssl_, fd_) ||
        !SSL_set_tlsext_host_name(ssl_, env_.options.sni.c_str())) {
      fail("tls_setup");
      return false;
    }
    SSL_set_connect_state(ssl_);
    if (env_.sessions != nullptr && env_.sessions->latest) SSL_set_session(ssl_, env_.sessions->latest.get());
  }
  const int r = SSL_do_handshake(ssl_);
  if (r != 1) {
    const int error = SSL_get_error(ssl_, r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return false;
    ERR_clear_error();
    fail("tls_handshake");
    return false;
  }
  if (!peerKeyMatches(ssl_, env_.options.sig)) {
    fail("wrong_key_type");
    return false;
  }
  ++(SSL_session_reused(ssl_) ? env_.counters.resumed : env_.counters.full_handshakes);
  return true;
}

ClientConn::Io ClientConn::readSome(uint8_t* buf, size_t cap, size_t& got) {
  got = 0;
  if (ssl_ == nullptr) {
    for (;;) {
      const ssize_t n = recv(fd_, buf, cap, 0);
      if (n > 0) {
        got = static_cast<size_t>(n);
        env_.counters.moved += got;
        return Io::Ok;
      }
      if (n == 0) return Io::Eof;
      if (errno == EINTR) continue;
      return errno == EAGAIN ? Io::Blocked : Io::Error;
    }
  }
  const int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(cap, 1 << 30)));
  if (n > 0) {
    got = static_cast<size_t>(n);
    env_.counters.moved += got;
    return Io::Ok;
  }
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return Io::Blocked;
    case SSL_ERROR_ZERO_RETURN:
      return Io::Eof;
    case SSL_ERROR_SYSCALL:
      // EOF without close_notify: the data was all there, count it apart.
      if (ERR_peek_error() == 0 && n == 0) {
        ++env_.counters.unclean_eofs;
        return Io::Eof;
      }
      [[fallthrough]];
    default:
      ERR_clear_error();
      return Io::Error;
  }
}

ClientConn::Io ClientConn::writeSome(const uint8_t* buf, size_t len, size_t& put) {
  put = 0;
  if (ssl_ == nullptr) {
    for (;;) {
      const ssize_t n = send(fd_, buf, len, MSG_NOSIGNAL);
      if (n >= 0) {
        put = static_cast<size_t>(n);
        env_.counters.moved += put;
        return Io::Ok;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN ? Io::Blocked : Io::Error;
    }
  }
  const int n = SSL_write(ssl_, buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
  if (n > 0) {
    put = static_cast<size_t>(n);
    env_.counters.moved += put;
    return Io::Ok;
  }
  const int error = SSL_get_error(ssl_, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return Io::Blocked;
  ERR_clear_error();
  return Io::Error;
}

ClientConn::Io ClientConn::shutdownWrite() {
  if (write_shut_) return Io::Ok;
  if (ssl_ != nullptr) {
    const int r = SSL_shutdown(ssl_);
    if (r < 0) {
      const int error = SSL_get_error(ssl_, r);
      if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) return Io::Blocked;
      ERR_clear_error();
      return Io::Error;
    }
  }
  shutdown(fd_, SHUT_WR);
  write_shut_ = true;
  return Io::Ok;
}

void ClientConn::failIo(Io io, std::string_view what) {
  std::string kind(what);
  kind += io == Io::Eof ? "_unexpected_eof" : "_io_error";
  fail(kind);
}

void ClientConn::succeed() { finish(true); }

void ClientConn::fail(std::string_view kind) {
  if (fd_ < 0) return;
  env_.counters.error(kind);
  finish(false);
}

void ClientConn::finish(bool ok) {
  if (fd_ < 0) return;
  // A clean end sends close_notify (best effort: the peer may have closed already).
  if (ok && ssl_ != nullptr && !write_shut_ && SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    ERR_clear_error();
  }
  close(fd_);
  fd_ = -1;
  if (ok) ++env_.counters.ok;
  env_.owner.onFinished(*this, ok);
}

}  // namespace warren::bench
