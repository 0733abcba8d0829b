#include "common/logging_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace warren::logging {
namespace {

std::string readAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Pipe {
  int fds[2];
  Pipe() {
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

TEST(LineWriter, WritesLinesInOrder) {
  Pipe p;
  {
    LineWriter w(p.fds[1]);
    EXPECT_TRUE(w.push("a\n", LineWriter::Stream::Main));
    EXPECT_TRUE(w.push("b\n", LineWriter::Stream::Access));  // no access file: main stream
    EXPECT_TRUE(w.flush(std::chrono::seconds(5)));
    EXPECT_EQ(w.dropped(), 0u);
  }
  EXPECT_EQ(readAll(p.fds[0]), "a\nb\n");
}

// The reader never reads: the writer thread blocks in write(), push() must not.
TEST(LineWriter, AStalledReaderDropsLinesInsteadOfBlocking) {
  Pipe p;
  ASSERT_GE(::fcntl(p.fds[1], F_SETPIPE_SZ, 4096), 0);
  const std::string line(1000, 'x');
  uint64_t drop_lines = 0;
  LineWriter w(p.fds[1], WriterLimits{100, 1 << 20}, [&](uint64_t n) {
    drop_lines += n;
    return std::string("dropped\n");
  });
  const auto t0 = std::chrono::steady_clock::now();
  size_t accepted = 0;
  for (int i = 0; i < 1000; ++i) accepted += w.push(line + "\n", LineWriter::Stream::Main) ? 1 : 0;
  // Bounded: the pipe holds ~4 lines, the queue 100, the writer's batch in hand the rest.
  EXPECT_LT(accepted, 300u);
  EXPECT_EQ(w.dropped(), 1000u - accepted);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_FALSE(w.flush(std::chrono::milliseconds(50)));
  // Drain the pipe so the destructor's flush can finish.
  for (int i = 0; i < 200 && !w.flush(std::chrono::milliseconds(10)); ++i) readAll(p.fds[0]);
  w.push("after\n", LineWriter::Stream::Main);
  for (int i = 0; i < 200 && !w.flush(std::chrono::milliseconds(10)); ++i) readAll(p.fds[0]);
  EXPECT_GT(drop_lines, 0u);  // the "lines were dropped" line was written
}

TEST(LineWriter, AccessFileAndReopen) {
  Pipe p;
  char dir_template[] = "/tmp/warren-log-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/access.log";
  LineWriter w(p.fds[1]);
  EXPECT_EQ(w.setAccessFile(path), "");
  EXPECT_NE(w.setAccessFile(dir + "/missing/x.log"), "");  // refused: the previous stays
  w.push("first\n", LineWriter::Stream::Access);
  w.push("main\n", LineWriter::Stream::Main);
  ASSERT_TRUE(w.flush(std::chrono::seconds(5)));
  ASSERT_EQ(::rename(path.c_str(), (path + ".1").c_str()), 0);  // logrotate
  w.push("second\n", LineWriter::Stream::Access);                // still to the renamed file
  ASSERT_TRUE(w.flush(std::chrono::seconds(5)));
  w.reopen();
  w.push("third\n", LineWriter::Stream::Access);
  ASSERT_TRUE(w.flush(std::chrono::seconds(5)));
  EXPECT_EQ(fileText(path + ".1"), "first\nsecond\n");
  EXPECT_EQ(fileText(path), "third\n");
  EXPECT_EQ(readAll(p.fds[0]), "main\n");
  std::remove((path + ".1").c_str());
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace warren::logging
