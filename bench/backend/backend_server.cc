#include "backend/backend_server.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "common/command.h"
#include "common/pattern.h"
#include "common/net.h"
#include "proxy_protocol/parser.h"

namespace warren::bench {

namespace {

constexpr size_t kReadChunk = 256 * 1024;
// Source mode writes from one shared pattern buffer, never copied per connection.
constexpr size_t kPatternSize = 256 * 1024;
// One read buffer for the whole (single-threaded) process.
uint8_t* scratch() {
  static std::vector<uint8_t> buffer(kReadChunk);
  return buffer.data();
}

class Connection : public EventLoop::Handler {
 public:
  Connection(EventLoop& loop, BackendStats& stats, std::unordered_set<EventLoop::Handler*>& open,
             int fd, ExpectedHeader expected)
      : loop_(loop), stats_(stats), open_(open), fd_(fd), expected_(expected),
        state_(expected == ExpectedHeader::None ? State::Command : State::Header) {}

  ~Connection() override {
    if (fd_ >= 0) close(fd_);
  }

  void onEvents(uint32_t events) override {
    if (fd_ < 0) return;
    drive();
  }

 private:
  enum class State { Header, Command, Echo, Sink, Source, Drain, Closed };

  // Reads and writes until the socket would block (the fd is edge-triggered).
  void drive() {
    while (fd_ >= 0) {
      if (!flush()) return;  // blocked on a write (or closed)
      if (state_ == State::Source && !source_done_) {
        if (!writeSource()) return;
        continue;
      }
      if (state_ == State::Closed) return finish();
      const ssize_t n = recv(fd_, scratch(), kReadChunk, 0);
      if (n > 0) {
        onBytes(std::span<const uint8_t>(scratch(), static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        onSocketError();
        return;
      }
      onEof();
    }
  }

  void onBytes(std::span<const uint8_t> bytes) {
    if (state_ != State::Header) stats_.bytes_in += bytes.size();
    switch (state_) {
      case State::Header:
      case State::Command:
        in_.insert(in_.end(), bytes.begin(), bytes.end());
        parsePrefix();
        return;
      case State::Echo:
        out_.insert(out_.end(), bytes.begin(), bytes.end());
        return;
      case State::Sink:
        countSink(bytes.size());
        return;
      case State::Source:
      case State::Drain:
      case State::Closed:
        return;
    }
  }

  void parsePrefix() {
    if (state_ == State::Header) {
      proxy_protocol::Header header;
      const auto span = std::span<const uint8_t>(in_);
      const auto result = expected_ == ExpectedHeader::V2 ? proxy_protocol::parseV2(span, header)
                                                          : proxy_protocol::parseV1(span, header);
      if (result.status == proxy_protocol::ParseStatus::NeedMore) return;
      if (result.status == proxy_protocol::ParseStatus::Error) {
        ++stats_.header_errors;
        return fail();
      }
      const bool inet_source = header.command == proxy_protocol::Command::Proxy &&
                               header.has_addresses && header.source.valid();
      ++(inet_source ? stats_.headers_with_source : stats_.headers_without_source);
      in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(result.consumed));
      stats_.bytes_in += in_.size();
      state_ = State::Command;
    }
    if (state_ != State::Command || in_.size() < kCommandLength) return;
    const auto command = decodeCommand(std::span<const uint8_t, kCommandLength>(in_.data(), kCommandLength));
    if (!command) {
      ++stats_.command_errors;
      return fail();
    }
    const std::vector<uint8_t> rest(in_.begin() + kCommandLength, in_.end());
    in_.clear();
    in_.shrink_to_fit();
    start(*command);
    if (!rest.empty() && state_ != State::Closed) {
      // Bytes that came with the command belong to the mode; bytes_in has them already.
      stats_.bytes_in -= rest.size();
      onBytes(rest);
    }
  }

  void start(const Command& command) {
    switch (command.mode) {
      case Mode::Quick:
        queue(kOkReply);
        shut_after_flush_ = true;
        state_ = State::Drain;
        return;
      case Mode::Hold:
        queue(kOkReply);
        state_ = State::Drain;
        return;
      case Mode::Echo:
        state_ = State::Echo;
        return;
      case Mode::Sink:
        sink_limit_ = command.argument;
        state_ = State::Sink;
        return;
      case Mode::Source:
        source_left_ = command.argument;
        state_ = State::Source;
        return;
    }
  }

  void countSink(uint64_t n) {
    sink_count_ += n;
    if (sink_limit_ > 0 && sink_count_ >= sink_limit_) replyCount(State::Drain);
  }

  // Sink's answer: the byte count, big-endian. After it the write half is shut.
  void replyCount(State next) {
    std::array<uint8_t, 8> reply{};
    putBe64(reply.data(), sink_count_);
    queue(reply);
    shut_after_flush_ = true;
    state_ = next;
  }

  void onEof() {
    switch (state_) {
      case State::Header:
      case State::Command:
        if (state_ == State::Header && in_.empty()) {
          ++stats_.empty_connections;
        } else if (state_ == State::Command && in_.empty()) {
          ++stats_.empty_connections;
        } else {
          ++(state_ == State::Header ? stats_.header_errors : stats_.command_errors);
        }
        return fail();
      case State::Sink:
        replyCount(State::Closed);
        return;
      case State::Echo:
      case State::Drain:
      case State::Source:
        // Source: the peer may half-close right after its command; keep writing.
        if (state_ == State::Source && !source_done_) {
          peer_eof_ = true;
          return;
        }
        state_ = State::Closed;
        return;
      case State::Closed:
        return;
    }
  }

  void queue(std::span<const uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

  // One send() of up to `len` bytes, EINTR retried. >0 bytes sent, 0 when blocked,
  // -1 after a socket error (then the connection is already closed).
  ssize_t sendSome(const uint8_t* data, size_t len) {
    for (;;) {
      const ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
      if (n > 0) {
        stats_.bytes_out += static_cast<uint64_t>(n);
        return n;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
      onSocketError();
      return -1;
    }
  }

  // Writes out_; false while blocked or after an error. Shuts the write half once the
  // queue is empty if asked to.
  bool flush() {
    while (out_offset_ < out_.size()) {
      const ssize_t n = sendSome(out_.data() + out_offset_, out_.size() - out_offset_);
      if (n <= 0) return false;
      out_offset_ += static_cast<size_t>(n);
    }
    out_.clear();
    out_offset_ = 0;
    if (shut_after_flush_ && !shut_) {
      shutdown(fd_, SHUT_WR);
      shut_ = true;
    }
    return true;
  }

  bool writeSource() {
    const auto& bytes = patternBuffer(kPatternSize);
    while (source_left_ > 0) {
      const ssize_t n = sendSome(bytes.data(), static_cast<size_t>(std::min<uint64_t>(source_left_, bytes.size())));
      if (n <= 0) return false;
      source_left_ -= static_cast<uint64_t>(n);
    }
    source_done_ = true;
    shutdown(fd_, SHUT_WR);
    shut_ = true;
    state_ = peer_eof_ ? State::Closed : State::Drain;
    return true;
  }

  void onSocketError() {
    ++stats_.io_errors;
    fail();
  }

  void fail() { finish(); }

  void finish() {
    if (fd_ < 0) return;
    close(fd_);
    fd_ = -1;
    state_ = State::Closed;
    --stats_.active;
    open_.erase(this);
    loop_.retire(std::unique_ptr<EventLoop::Handler>(this));
  }

  EventLoop& loop_;
  BackendStats& stats_;
  std::unordered_set<EventLoop::Handler*>& open_;
  int fd_;
  ExpectedHeader expected_;
  State state_;
  std::vector<uint8_t> in_;   // header and command bytes until the command is decoded
  std::vector<uint8_t> out_;  // queued replies and echoed bytes
  size_t out_offset_ = 0;
  bool shut_after_flush_ = false;
  bool shut_ = false;
  bool peer_eof_ = false;
  bool source_done_ = false;
  uint64_t source_left_ = 0;
  uint64_t sink_limit_ = 0;
  uint64_t sink_count_ = 0;
};

}  // namespace

std::string statsJson(const BackendStats& s) {
  std::string json = "{";
  const auto add = [&json](const char* name, uint64_t value, bool last = false) {
    json += "\"";
    json += name;
    json += "\":" + std::to_string(value) + (last ? "" : ",");
  };
  add("connections", s.connections);
  add("max_active", s.max_active);
  add("header_errors", s.header_errors);
  add("headers_with_source", s.headers_with_source);
  add("headers_without_source", s.headers_without_source);
  add("command_errors", s.command_errors);
  add("empty_connections", s.empty_connections);
  add("io_errors", s.io_errors);
  add("accept_errors", s.accept_errors);
  add("bytes_in", s.bytes_in);
  add("bytes_out", s.bytes_out, true);
  return json + "}";
}

BackendServer::BackendServer(EventLoop& loop, ExpectedHeader expected)
    : loop_(loop), expected_(expected) {}

BackendServer::~BackendServer() {
  for (EventLoop::Handler* connection : connections_) delete connection;
  if (fd_ >= 0) close(fd_);
}

bool BackendServer::listen(const Address& address, std::string& error) {
  fd_ = listenOn(address, 4096);
  if (fd_ < 0) {
    error = std::string("listen: ") + strerror(-fd_);
    return false;
  }
  // Level-triggered: after EMFILE the pending connections are tried again on the next wait.
  if (!loop_.add(fd_, EPOLLIN, this)) {
    error = std::string("epoll: ") + strerror(errno);
    return false;
  }
  return true;
}

Address BackendServer::boundAddress() const { return localAddress(fd_); }

void BackendServer::onEvents(uint32_t) {
  // A bounded batch per wake-up, so that busy connections are not starved by accepts.
  for (int i = 0; i < 256; ++i) {
    const int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++stats_.accept_errors;
      return;
    }
    ++stats_.connections;
    stats_.max_active = std::max(stats_.max_active, ++stats_.active);
    auto* connection = new Connection(loop_, stats_, connections_, fd, expected_);
    if (!loop_.add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, connection)) {
      ++stats_.accept_errors;
      --stats_.active;
      delete connection;
      continue;
    }
    connections_.insert(connection);
    connection->onEvents(0);
  }
}

}  // namespace warren::bench
