// LineWriter: the one thread that writes log lines. Worker threads only queue them; when
// the queue is full (a stalled journal, a full pipe, a slow disk) the new line is dropped and
// counted, never waited for: a log reader cannot stall the data path.
//
//   LineWriter writer(STDERR_FILENO);
//   writer.push(line, LineWriter::Stream::Main);   // any thread; false = dropped
//   writer.setAccessFile("/var/log/warren/access.log");
//   writer.reopen();                                // logrotate's SIGUSR1: reopened by the writer thread
//   writer.flush(std::chrono::seconds(2));          // before exit
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace warren::logging {

struct WriterLimits {
  size_t max_lines = 16384;            // queued lines at most...
  size_t max_bytes = 8 * 1024 * 1024;  // ...and bytes at most
};

class LineWriter {
 public:
  enum class Stream { Main, Access };
  // Writes to `main_fd` (not owned). `drop_line(n)` is the line written once lines were
  // dropped (n since the last such line); nullptr = none.
  explicit LineWriter(int main_fd, WriterLimits limits = WriterLimits(),
                      std::function<std::string(uint64_t dropped)> drop_line = nullptr);
  ~LineWriter();  // writes what is queued (bounded by flush's timeout), then stops
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Thread-safe and never blocks on I/O. False when the line was dropped (queue full).
  bool push(std::string line, Stream stream);
  // Thread-safe. Access lines go to `path` (appended, created 0640) from now on; "" = to
  // the main stream. Returns "" or why the file cannot be opened (then nothing changes).
  std::string setAccessFile(const std::string& path);
  bool hasAccessFile() const { return has_access_file_.load(std::memory_order_relaxed); }
  // Thread-safe, async-signal-safe: the access file is reopened (same path) before the next
  // write, so that a rotated file is released and a new one created.
  void reopen();
  // Waits until every line queued before the call is written, at most `timeout`.
  bool flush(std::chrono::milliseconds timeout);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Item {
    std::string line;
    Stream stream;
  };
  void run();
  void reopenNow();
  static void writeAll(int fd, const std::string& data);

  const int main_fd_;
  const WriterLimits limits_;
  const std::function<std::string(uint64_t)> drop_line_;

  std::mutex mutex_;  // guards the queue and the sequence numbers; never held during I/O
  std::condition_variable wake_;
  std::condition_variable written_cv_;
  std::deque<Item> queue_;
  size_t queued_bytes_ = 0;
  uint64_t pushed_ = 0;
  uint64_t written_ = 0;
  bool stopping_ = false;

  std::mutex file_mutex_;  // guards access_path_/access_fd_ (writer thread and setAccessFile)
  std::string access_path_;
  int access_fd_ = -1;
  std::atomic<bool> has_access_file_{false};
  std::atomic<bool> reopen_requested_{false};
  std::atomic<uint64_t> dropped_{0};
  uint64_t reported_dropped_ = 0;  // writer thread only
  std::thread thread_;
};

}  // namespace warren::logging
