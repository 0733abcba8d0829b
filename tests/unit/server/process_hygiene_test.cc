// The descriptor budget (server/process_hygiene.h): 2 per connection plus the reserve, and
// the warning `warren run` logs and `warren check` prints when it does not fit.
#include "server/process_hygiene.h"

#include <gtest/gtest.h>

namespace warren::server {
namespace {

TEST(FileLimit, TwoDescriptorsPerConnectionPlusTheReserve) {
  EXPECT_EQ(filesNeeded(0), 0u);  // unlimited: no number is enough
  EXPECT_EQ(filesNeeded(1), 2 + kReservedFiles);
  EXPECT_EQ(filesNeeded(100'000), 200'000 + kReservedFiles);
  EXPECT_EQ(filesNeeded(UINT32_MAX), 2 * uint64_t{UINT32_MAX} + kReservedFiles);  // no overflow
}

TEST(FileLimit, ProblemOnlyWhenTheLimitsDoNotFit) {
  EXPECT_EQ(fileLimitProblem(9'968, 20'000), "");  // 19,936 + 64 = 20,000: fits exactly
  const std::string over = fileLimitProblem(9'969, 20'000);
  EXPECT_NE(over.find("global.max_connections = 9969 needs 20002 file descriptors"), std::string::npos) << over;
  EXPECT_NE(over.find("the limit is 20000"), std::string::npos) << over;
  EXPECT_NE(over.find("local_resource_exhausted"), std::string::npos) << over;
  const std::string unlimited = fileLimitProblem(0, 1'048'576);
  EXPECT_NE(unlimited.find("(unlimited)"), std::string::npos) << unlimited;
}

}  // namespace
}  // namespace warren::server
