#include "common/proc_stats.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

namespace warren::bench {
namespace {

TEST(ProcStatsTest, SchedstatRunTimeIsTheFirstField) {
  EXPECT_EQ(parseSchedstatRunNs("123456789 4567 89\n"), 123456789u);
  EXPECT_EQ(parseSchedstatRunNs("0 0 0\n"), 0u);
  EXPECT_EQ(parseSchedstatRunNs(""), std::nullopt);
  EXPECT_EQ(parseSchedstatRunNs("abc 1 2\n"), std::nullopt);
}

// A real /proc/PID/stat line (nginx worker), utime = 1234, stime = 567.
constexpr const char* kStat =
    "4242 (nginx) S 4241 4241 4241 0 -1 4194624 1000 0 0 0 1234 567 0 0 20 0 1 0 "
    "987654 123456789 2345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcStatsTest, StatUtimePlusStime) { EXPECT_EQ(parseStatCpuTicks(kStat), 1234u + 567u); }

TEST(ProcStatsTest, StatCommandNameWithSpacesAndParentheses) {
  // The name is whatever the process set: fields are counted from the last ')'.
  const std::string stat = "77 (my (odd) proc) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 6 7\n";
  EXPECT_EQ(parseStatCpuTicks(stat), 30u);
}

TEST(ProcStatsTest, StatTruncatedOrGarbage) {
  EXPECT_EQ(parseStatCpuTicks("4242 (nginx) S 4241 4241"), std::nullopt);
  EXPECT_EQ(parseStatCpuTicks("no parenthesis here"), std::nullopt);
  EXPECT_EQ(parseStatCpuTicks(""), std::nullopt);
}

constexpr const char* kStatus =
    "Name:\twarren\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "VmPeak:\t  123456 kB\n"
    "VmHWM:\t   65432 kB\n"
    "VmRSS:\t   62688 kB\n"
    "RssAnon:\t   50000 kB\n"
    "Threads:\t3\n";

TEST(ProcStatsTest, StatusVmRss) { EXPECT_EQ(parseStatusVmRssKb(kStatus), 62688u); }

TEST(ProcStatsTest, StatusWithoutVmRss) {
  // Kernel threads and zombies have no VmRSS line.
  EXPECT_EQ(parseStatusVmRssKb("Name:\tkthreadd\nState:\tS (sleeping)\n"), std::nullopt);
  EXPECT_EQ(parseStatusVmRssKb("VmRSS:\t   62688 MB\n"), std::nullopt);
}

TEST(ProcStatsTest, SamplesThisProcess) {
  const std::vector<int> pids = {getpid()};
  const ProcessSample first = sampleProcesses(pids);
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_GT(first.rss_kb, 0u);
  // Burn some CPU: the CPU time must grow (by how much is not asserted).
  volatile uint64_t x = 0;
  for (uint64_t i = 0; i < 50'000'000; ++i) x = x + i;
  const ProcessSample second = sampleProcesses(pids);
  ASSERT_TRUE(second.ok) << second.error;
  EXPECT_GT(second.cpu_ns, first.cpu_ns);
}

TEST(ProcStatsTest, SumsOverSeveralPids) {
  const std::vector<int> one = {getpid()};
  const std::vector<int> twice = {getpid(), getpid()};
  const ProcessSample a = sampleProcesses(one);
  const ProcessSample b = sampleProcesses(twice);
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_GT(b.rss_kb, a.rss_kb * 3 / 2);  // about twice (RSS may move between reads)
}

TEST(ProcStatsTest, MissingPidIsAnError) {
  // PIDs are below /proc/sys/kernel/pid_max (at most 2^22).
  const std::vector<int> pids = {(1 << 22) + 1};
  const ProcessSample sample = sampleProcesses(pids);
  EXPECT_FALSE(sample.ok);
  EXPECT_FALSE(sample.error.empty());
}

}  // namespace
}  // namespace warren::bench
