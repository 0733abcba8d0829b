#include "common/logging_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace warren::logging {

LineWriter::LineWriter(int main_fd, WriterLimits limits, std::function<std::string(uint64_t)> drop_line)
    : main_fd_(main_fd), limits_(limits), drop_line_(std::move(drop_line)) {
  thread_ = std::thread([this] { run(); });
}

LineWriter::~LineWriter() {
  flush(std::chrono::seconds(2));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (access_fd_ >= 0) ::close(access_fd_);
}

bool LineWriter::push(std::string line, Stream stream) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= limits_.max_lines || queued_bytes_ + line.size() > limits_.max_bytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queued_bytes_ += line.size();
    queue_.push_back(Item{std::move(line), stream});
    ++pushed_;
  }
  wake_.notify_one();
  return true;
}

std::string LineWriter::setAccessFile(const std::string& path) {
  int fd = -1;
  if (!path.empty()) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return path + ": " + std::strerror(errno);
  }
  std::lock_guard<std::mutex> lock(file_mutex_);
  if (access_fd_ >= 0) ::close(access_fd_);
  access_fd_ = fd;
  access_path_ = path;
  has_access_file_ = fd >= 0;
  return "";
}

void LineWriter::reopen() {
  reopen_requested_ = true;
  wake_.notify_one();
}

void LineWriter::reopenNow() {
  std::lock_guard<std::mutex> lock(file_mutex_);
  if (access_path_.empty()) return;
  const int fd = ::open(access_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    // Keep writing to the file open so far (renamed or not): no line is lost.
    const std::string msg = "log_reopen_failed file=\"" + access_path_ + "\" error=\"" + std::strerror(errno) + "\"\n";
    writeAll(main_fd_, msg);
    return;
  }
  if (access_fd_ >= 0) ::close(access_fd_);
  access_fd_ = fd;
}

bool LineWriter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = pushed_;
  return written_cv_.wait_for(lock, timeout, [&] { return written_ >= target; });
}

void LineWriter::writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);  // only this thread waits; the workers keep queueing (or dropping)
    } else {
      return;  // closed or broken stream: nothing to do but lose the lines
    }
  }
}

void LineWriter::run() {
  std::vector<Item> batch;
  std::string main_out, access_out;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || reopen_requested_.load(); });
    if (queue_.empty() && stopping_) return;
    batch.clear();
    while (!queue_.empty()) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_bytes_ = 0;
    lock.unlock();

    if (reopen_requested_.exchange(false)) reopenNow();
    main_out.clear();
    access_out.clear();
    const uint64_t dropped = dropped_.load(std::memory_order_relaxed);
    if (dropped != reported_dropped_ && drop_line_) main_out += drop_line_(dropped - reported_dropped_);
    reported_dropped_ = dropped;
    {
      std::lock_guard<std::mutex> files(file_mutex_);
      for (auto& item : batch) {
        (item.stream == Stream::Access && access_fd_ >= 0 ? access_out : main_out) += item.line;
      }
      if (!access_out.empty()) writeAll(access_fd_, access_out);
    }
    if (!main_out.empty()) writeAll(main_fd_, main_out);

    lock.lock();
    written_ += batch.size();
    written_cv_.notify_all();
  }
}

}  // namespace warren::logging
