#include "admin/admin_server.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "admin/handler_pool.h"
#include "admin/http_wire.h"
#include "admin/startup.h"

namespace warren::admin {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kListenerId = 0;
constexpr uint64_t kWakeId = 1;
constexpr uint64_t kFirstConnectionId = 2;
// After its response, a connection is read (and the bytes dropped) until the peer closes, for
// this long and this many bytes at most: closing with unread bytes would reset the
// connection and could destroy the response before the peer read it (a 401 answered before
// the body was sent).
constexpr auto kLinger = std::chrono::milliseconds(1000);
constexpr size_t kMaxDrained = 256 * 1024;
// While accept() fails for lack of descriptors, the listener rests this long.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
constexpr int kTickMs = 100;  // deadlines are checked at least this often
constexpr size_t kMaxWaitingHandlers = 32;

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

class AdminServer::Loop {
 public:
  explicit Loop(std::shared_ptr<AdminApi> api) : api_(std::move(api)), pool_(kHandlerThreads, kMaxWaitingHandlers) {}
  ~Loop() { stop(); }

  std::optional<std::string> listen(const Address& address, Address& bound);
  void stop();

 private:
  enum class Phase { kHead, kBody, kHandling, kWriting, kDraining };
  struct Connection {
    int fd = -1;
    bool peer_loopback = false;
    Phase phase = Phase::kHead;
    Clock::time_point accepted;
    Clock::time_point deadline;
    std::string in;  // the request's bytes (head, then body)
    ParsedHead head;
    std::string out;  // the response
    size_t written = 0;
    size_t drained = 0;
    bool peer_closed = false;  // its write side (EOF read)
  };
  struct Completion {
    std::mutex mutex;
    std::vector<std::pair<uint64_t, std::string>> done;  // guarded by mutex
    int wake_fd = -1;
  };

  void run();
  void accept();
  void evictOldest();
  void onEvent(uint64_t id, uint32_t events);
  // Appends what has arrived, up to what the request can hold; false on a socket error.
  bool readAvailable(Connection& c);
  void process(uint64_t id, Connection& c);
  void dispatch(uint64_t id, Connection& c);
  void respond(uint64_t id, Connection& c, std::string bytes);
  void flush(uint64_t id, Connection& c);
  void collectCompletions();
  void sweep(Clock::time_point now);
  void watch(uint64_t id, int fd, uint32_t events, bool add);
  void close(uint64_t id);

  std::shared_ptr<AdminApi> api_;
  HandlerPool pool_;
  std::shared_ptr<Completion> completion_ = std::make_shared<Completion>();
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  // Owned by the loop thread.
  std::unordered_map<uint64_t, Connection> connections_;
  uint64_t next_id_ = kFirstConnectionId;
  std::optional<Clock::time_point> listener_resumes_;
};

std::optional<std::string> AdminServer::Loop::listen(const Address& address, Address& bound) {
  const std::string where = "admin " + address.toString() + ": ";
  listen_fd_ = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return where + errnoText("socket");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address.isV6()) ::setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(listen_fd_, address.sockAddr(), address.sockLen()) != 0) return where + errnoText("bind");
  if (::listen(listen_fd_, kListenBacklog) != 0) return where + errnoText("listen");
  sockaddr_in6 local{};
  socklen_t len = sizeof(local);
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0) return where + errnoText("getsockname");
  bound = Address(reinterpret_cast<const sockaddr*>(&local));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  completion_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || completion_->wake_fd < 0) return where + errnoText("epoll");
  watch(kListenerId, listen_fd_, EPOLLIN, true);
  watch(kWakeId, completion_->wake_fd, EPOLLIN, true);
  thread_ = std::thread([this] { run(); });
  return std::nullopt;
}

void AdminServer::Loop::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    const uint64_t one = 1;
    (void)!::write(completion_->wake_fd, &one, sizeof(one));
    thread_.join();
  }
  pool_.stop();  // a running handler finishes; its answer goes nowhere
  for (auto& [id, c] : connections_) ::close(c.fd);
  connections_.clear();
  for (int* fd : {&listen_fd_, &epoll_fd_, &completion_->wake_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

void AdminServer::Loop::watch(uint64_t id, int fd, uint32_t events, bool add) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  ::epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
}

void AdminServer::Loop::run() {
  std::array<epoll_event, 64> events;
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), kTickMs);
    for (int i = 0; i < n && !stopping_; ++i) {
      const uint64_t id = events[static_cast<size_t>(i)].data.u64;
      if (id == kListenerId) {
        accept();
      } else if (id == kWakeId) {
        uint64_t count = 0;
        (void)!::read(completion_->wake_fd, &count, sizeof(count));
        collectCompletions();
      } else {
        onEvent(id, events[static_cast<size_t>(i)].events);
      }
    }
    sweep(Clock::now());
  }
}

void AdminServer::Loop::accept() {
  for (int i = 0; i < 64; ++i) {
    sockaddr_in6 peer{};
    socklen_t len = sizeof(peer);
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener rests (level-triggered, it would spin) and the
        // oldest connection still sending its request makes room.
        evictOldest();
        watch(kListenerId, listen_fd_, 0, false);
        listener_resumes_ = Clock::now() + kAcceptPause;
      }
      return;  // EAGAIN: nothing more waiting
    }
    if (connections_.size() >= kMaxConnections) evictOldest();
    if (connections_.size() >= kMaxConnections) {  // cannot happen: at most kHandlerThreads + kMaxWaitingHandlers wait for a handler
      ::close(fd);
      continue;
    }
    const uint64_t id = next_id_++;
    Connection& c = connections_[id];
    c.fd = fd;
    const Address address(reinterpret_cast<const sockaddr*>(&peer));
    c.peer_loopback = isLoopback(address);
    c.accepted = Clock::now();
    c.deadline = c.accepted + std::chrono::milliseconds(kRequestTimeoutMs);
    watch(id, fd, EPOLLIN | EPOLLRDHUP, true);
  }
}

// The oldest connection not waiting for a handler: one still sending its request (idle or
// trickling), or one whose answer it does not read. A probe sends its request at once and is
// answered at once, so it is never the oldest.
void AdminServer::Loop::evictOldest() {
  auto oldest = connections_.end();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    const bool evictable = it->second.phase != Phase::kHandling;
    if (evictable && (oldest == connections_.end() || it->second.accepted < oldest->second.accepted)) oldest = it;
  }
  if (oldest != connections_.end()) close(oldest->first);
}

void AdminServer::Loop::onEvent(uint64_t id, uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  switch (c.phase) {
    case Phase::kHead:
    case Phase::kBody:
      if (!readAvailable(c)) {
        close(id);
        return;
      }
      process(id, c);
      // process() may have closed it (a failed write). A peer that left before its request
      // was whole is closed; one that only half-closed after it still gets its answer.
      it = connections_.find(id);
      if (it != connections_.end() && it->second.peer_closed &&
          (it->second.phase == Phase::kHead || it->second.phase == Phase::kBody)) {
        close(id);
      }
      return;
    case Phase::kHandling:
      if ((events & (EPOLLHUP | EPOLLERR)) != 0) close(id);  // its answer, when it comes, goes nowhere
      return;
    case Phase::kWriting:
      if ((events & (EPOLLHUP | EPOLLERR)) != 0) {
        close(id);
        return;
      }
      flush(id, c);
      return;
    case Phase::kDraining: {
      std::array<char, 16 * 1024> buf;
      for (;;) {
        const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
        if (n > 0) c.drained += static_cast<size_t>(n);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || c.drained > kMaxDrained) {
          close(id);
          return;
        }
        if (n < 0) return;
      }
    }
  }
}

bool AdminServer::Loop::readAvailable(Connection& c) {
  std::array<char, 16 * 1024> buf;
  for (;;) {
    // Never more than the request can hold: the head's limit, then its declared body.
    const size_t limit = c.phase == Phase::kHead ? kMaxRequestHead + 1 : c.head.head_size + c.head.content_length;
    if (c.in.size() >= limit) return true;
    const ssize_t n = ::recv(c.fd, buf.data(), std::min(buf.size(), limit - c.in.size()), 0);
    if (n > 0) {
      c.in.append(buf.data(), static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      c.peer_closed = true;
      return true;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
}

void AdminServer::Loop::process(uint64_t id, Connection& c) {
  if (c.phase == Phase::kHead) {
    c.head = parseRequestHead(c.in);
    if (c.head.state == ParsedHead::State::kIncomplete) return;
    if (c.head.state == ParsedHead::State::kRefused) {
      respond(id, c, serializeResponse(errorResponse(c.head.status, c.head.error), false));
      return;
    }
    c.head.request.peer_loopback = c.peer_loopback;
    // The token and the loopback/Origin rule, before a byte of the body is read.
    if (auto refused = api_->refusal(c.head.request)) {
      respond(id, c, serializeResponse(*refused, c.head.request.method == "HEAD"));
      return;
    }
    if (c.head.content_length > kMaxRequestBody) {
      const std::string why = "the request body is larger than " + std::to_string(kMaxRequestBody) + " bytes";
      respond(id, c, serializeResponse(errorResponse(413, why), false));
      return;
    }
    c.phase = Phase::kBody;
    if (c.head.expect_continue && c.head.content_length > 0 && c.in.size() == c.head.head_size) {
      const std::string_view line = continueLine();
      (void)!::send(c.fd, line.data(), line.size(), MSG_NOSIGNAL);  // 25 bytes: the socket buffer takes them
    }
  }
  if (c.in.size() < c.head.head_size + c.head.content_length) return;
  c.head.request.body = c.in.substr(c.head.head_size, c.head.content_length);
  dispatch(id, c);
}

void AdminServer::Loop::dispatch(uint64_t id, Connection& c) {
  const Request& request = c.head.request;
  const bool head_only = request.method == "HEAD";
  if (AdminApi::answersAtOnce(request)) {
    respond(id, c, serializeResponse(api_->handle(request), head_only));
    return;
  }
  c.phase = Phase::kHandling;
  watch(id, c.fd, 0, false);  // nothing more is read; a reset or hang-up is still reported
  auto job = [api = api_, completion = completion_, id, request, head_only] {
    std::string bytes = serializeResponse(api->handle(request), head_only);
    std::lock_guard<std::mutex> lock(completion->mutex);
    completion->done.emplace_back(id, std::move(bytes));
    const uint64_t one = 1;
    (void)!::write(completion->wake_fd, &one, sizeof(one));
  };
  if (!pool_.submit(std::move(job))) {
    respond(id, c, serializeResponse(errorResponse(503, "the admin API is busy: retry"), head_only));
  }
}

void AdminServer::Loop::collectCompletions() {
  std::vector<std::pair<uint64_t, std::string>> done;
  {
    std::lock_guard<std::mutex> lock(completion_->mutex);
    done.swap(completion_->done);
  }
  for (auto& [id, bytes] : done) {
    auto it = connections_.find(id);
    if (it != connections_.end()) respond(id, it->second, std::move(bytes));
  }
}

void AdminServer::Loop::respond(uint64_t id, Connection& c, std::string bytes) {
  c.phase = Phase::kWriting;
  c.in.clear();
  c.in.shrink_to_fit();
  c.out = std::move(bytes);
  c.written = 0;
  c.deadline = Clock::now() + std::chrono::milliseconds(kWriteTimeoutMs);
  watch(id, c.fd, EPOLLOUT, false);
  flush(id, c);
}

void AdminServer::Loop::flush(uint64_t id, Connection& c) {
  while (c.written < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n > 0) {
      c.written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;  // EPOLLOUT brings it back
    close(id);
    return;
  }
  ::shutdown(c.fd, SHUT_WR);
  c.out.clear();
  c.out.shrink_to_fit();
  c.phase = Phase::kDraining;
  c.deadline = Clock::now() + kLinger;
  watch(id, c.fd, EPOLLIN | EPOLLRDHUP, false);
}

void AdminServer::Loop::sweep(Clock::time_point now) {
  if (listener_resumes_ && now >= *listener_resumes_) {
    listener_resumes_.reset();
    watch(kListenerId, listen_fd_, EPOLLIN, false);
  }
  std::vector<uint64_t> late;
  for (auto& [id, c] : connections_) {
    if (c.phase != Phase::kHandling && now >= c.deadline) late.push_back(id);
  }
  for (uint64_t id : late) {
    Connection& c = connections_.at(id);
    if ((c.phase == Phase::kHead || c.phase == Phase::kBody) && !c.in.empty()) {
      // Started but not finished in time (a trickle): told so, then closed.
      const std::string why = "the request did not arrive within " + std::to_string(kRequestTimeoutMs) + " ms";
      respond(id, c, serializeResponse(errorResponse(408, why), false));
    } else {
      close(id);
    }
  }
}

void AdminServer::Loop::close(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ::close(it->second.fd);  // leaves the epoll set with it
  connections_.erase(it);
}

AdminServer::AdminServer(std::shared_ptr<AdminApi> api) : api_(std::move(api)) {}

AdminServer::~AdminServer() { stop(); }

std::optional<std::string> AdminServer::start(const Address& address) {
  loop_ = std::make_unique<Loop>(api_);
  if (auto err = loop_->listen(address, bound_)) {
    loop_.reset();
    return err;
  }
  return std::nullopt;
}

void AdminServer::stop() { loop_.reset(); }

}  // namespace warren::admin
