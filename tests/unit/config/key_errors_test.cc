// Errors about one key: wrong type, out of range, bad value, unknown, missing.
// Every message is asserted exactly as `warren check` prints it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::errorsOf;
using testing::kValidTail;

// `global_lines` go in a [global] table on line 1; the value of the first is at 2:N.
std::vector<std::string> globalErrors(const std::string& global_lines) {
  return errorsOf("[global]\n" + global_lines + std::string(kValidTail));
}

TEST(KeyErrorsTest, WrongTypes) {
  EXPECT_THAT(
      globalErrors("access_log = \"yes\"\n"),
      ElementsAre(
          "t.toml:2:14: global.access_log: expected a boolean (true or false), found a string"));
  EXPECT_THAT(
      globalErrors("max_connections = \"10\"\n"),
      ElementsAre("t.toml:2:19: global.max_connections: expected an integer, found a string"));
  EXPECT_THAT(
      globalErrors("max_connections = 1.0\n"),
      ElementsAre(
          "t.toml:2:19: global.max_connections: expected an integer, found a floating-point number"));
  EXPECT_THAT(
      globalErrors("log_level = 3\n"),
      ElementsAre(
          "t.toml:2:13: global.log_level: expected a string (one of trace, debug, info, warn, error), found an integer"));
  EXPECT_THAT(
      globalErrors("buffer_high_watermark = true\n"),
      ElementsAre(
          "t.toml:2:25: global.buffer_high_watermark: expected a size (integer bytes or a string such as \"256KiB\"), found a boolean"));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = 1979-05-27\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: expected a duration string such as \"10s\", found a date"));
  EXPECT_THAT(errorsOf("global = 1\n" + std::string(kValidTail)),
              ElementsAre("t.toml:1:10: global: expected a table, found an integer"));
}

TEST(KeyErrorsTest, DurationsMustBeStrings) {
  EXPECT_THAT(
      globalErrors("shutdown_timeout = 30\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: expected a duration string such as \"10s\", found an integer"));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = 1.5\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: expected a duration string such as \"10s\", found a floating-point number"));
}

TEST(KeyErrorsTest, BadDurationText) {
  EXPECT_THAT(
      globalErrors("shutdown_timeout = \"30\"\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: missing unit in duration \"30\": use ms, s, m or h, e.g. \"10s\""));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = \"-5s\"\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: negative duration \"-5s\" is not allowed"));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = \"30sec\"\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: unknown unit \"sec\" in duration \"30sec\": use ms, s, m or h"));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = \"\"\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: empty duration: expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""));
  EXPECT_THAT(
      globalErrors("shutdown_timeout = \"100000000h\"\n"),
      ElementsAre(
          "t.toml:2:20: global.shutdown_timeout: duration \"100000000h\" is too large (the maximum is 8760h)"));
}

TEST(KeyErrorsTest, DurationRanges) {
  EXPECT_THAT(errorsOf(std::string(kValidTail) + "connect_timeout = \"0s\"\n"),
              ElementsAre("t.toml:9:19: cluster[0].connect_timeout: must be greater than 0s"));
  EXPECT_THAT(
      errorsOf(
          "[[listener]]\nproxy_header_timeout = \"0ms\"\nname = \"x\"\naddress = \"127.0.0.1:1\"\ncluster = \"rabbit\"\n" +
          std::string(kValidTail).substr(std::string(kValidTail).find("[[cluster]]"))),
      ElementsAre("t.toml:2:24: listener[0].proxy_header_timeout: must be greater than 0s"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "tcp.keepalive_idle = \"0s\"\n"),
      ElementsAre("t.toml:9:22: cluster[0].tcp.keepalive_idle: must be at least 1s, found 0s"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "tcp.keepalive_interval = \"10h\"\n"),
      ElementsAre(
          "t.toml:9:26: cluster[0].tcp.keepalive_interval: must be at most 32767s, found 10h"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "tcp.keepalive_idle = \"2500ms\"\n"),
      ElementsAre(
          "t.toml:9:22: cluster[0].tcp.keepalive_idle: must be a whole number of seconds, found 2500ms"));
}

TEST(KeyErrorsTest, SourceIpv6PrefixRangeAndAllowCoreDumpsType) {
  const std::string cluster = std::string(kValidTail).substr(std::string(kValidTail).find("[[cluster]]"));
  EXPECT_THAT(errorsOf("[[listener]]\nsource_ipv6_prefix = 0\nname = \"x\"\naddress = \"127.0.0.1:1\"\n"
                       "cluster = \"rabbit\"\n" + cluster),
              ElementsAre("t.toml:2:22: listener[0].source_ipv6_prefix: must be between 1 and 128, found 0"));
  EXPECT_THAT(globalErrors("allow_core_dumps = 1\n"),
              ElementsAre("t.toml:2:20: global.allow_core_dumps: expected a boolean (true or false), found an integer"));
}

TEST(KeyErrorsTest, IntegerRanges) {
  EXPECT_THAT(
      globalErrors("max_connections = -1\n"),
      ElementsAre(
          "t.toml:2:19: global.max_connections: must be between 0 and 4294967295, found -1"));
  EXPECT_THAT(
      globalErrors("max_connections = 4294967296\n"),
      ElementsAre(
          "t.toml:2:19: global.max_connections: must be between 0 and 4294967295, found 4294967296"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "connect_attempts = 0\n"),
      ElementsAre("t.toml:9:20: cluster[0].connect_attempts: must be between 1 and 16, found 0"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "connect_attempts = 17\n"),
      ElementsAre("t.toml:9:20: cluster[0].connect_attempts: must be between 1 and 16, found 17"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "tcp.keepalive_count = 128\n"),
      ElementsAre(
          "t.toml:9:23: cluster[0].tcp.keepalive_count: must be between 1 and 127, found 128"));
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
backlog = 0
[[listener]]
name = "amqp2"
address = "127.0.0.1:5671"
cluster = "rabbit"
backlog = 65536
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672", weight = 0 }, { address = "127.0.0.1:5673", weight = 1001 }]
)"),
      ElementsAre(
          "t.toml:5:11: listener[0].backlog: must be between 1 and 65535, found 0",
          "t.toml:10:11: listener[1].backlog: must be between 1 and 65535, found 65536",
          "t.toml:13:48: cluster[0].node[0].weight: must be between 1 and 1000, found 0",
          "t.toml:13:92: cluster[0].node[1].weight: must be between 1 and 1000, found 1001"));
}

TEST(KeyErrorsTest, Workers) {
  EXPECT_THAT(
      globalErrors("workers = 0\n"),
      ElementsAre("t.toml:2:11: global.workers: must be between 1 and 256 (or \"auto\"), found 0"));
  EXPECT_THAT(
      globalErrors("workers = 257\n"),
      ElementsAre(
          "t.toml:2:11: global.workers: must be between 1 and 256 (or \"auto\"), found 257"));
  EXPECT_THAT(
      globalErrors("workers = \"Auto\"\n"),
      ElementsAre(
          "t.toml:2:11: global.workers: expected \"auto\" or an integer between 1 and 256, found \"Auto\""));
  EXPECT_THAT(
      globalErrors("workers = 4.0\n"),
      ElementsAre(
          "t.toml:2:11: global.workers: expected \"auto\" or an integer, found a floating-point number"));
}

TEST(KeyErrorsTest, Sizes) {
  EXPECT_THAT(
      globalErrors("buffer_high_watermark = \"128MiB\"\n"),
      ElementsAre(
          "t.toml:2:25: global.buffer_high_watermark: must be between 1B and 64MiB, found 128MiB"));
  EXPECT_THAT(
      globalErrors("buffer_high_watermark = 67108865\n"),
      ElementsAre(
          "t.toml:2:25: global.buffer_high_watermark: must be between 1B and 64MiB, found 67108865"));
  EXPECT_THAT(
      globalErrors("buffer_low_watermark = 0\n"),
      ElementsAre(
          "t.toml:2:24: global.buffer_low_watermark: must be between 1B and 64MiB, found 0"));
  EXPECT_THAT(
      globalErrors("buffer_low_watermark = \"0KiB\"\n"),
      ElementsAre(
          "t.toml:2:24: global.buffer_low_watermark: must be between 1B and 64MiB, found 0B"));
  EXPECT_THAT(
      globalErrors("buffer_low_watermark = -4096\n"),
      ElementsAre("t.toml:2:24: global.buffer_low_watermark: negative size -4096 is not allowed"));
  EXPECT_THAT(
      globalErrors("buffer_low_watermark = \"64KB\"\n"),
      ElementsAre(
          "t.toml:2:24: global.buffer_low_watermark: unknown unit \"KB\" in size \"64KB\": use B, KiB or MiB (1KiB = 1024 bytes)"));
  EXPECT_THAT(
      globalErrors("buffer_low_watermark = \"65536\"\n"),
      ElementsAre(
          "t.toml:2:24: global.buffer_low_watermark: missing unit in size \"65536\": use B, KiB or MiB, or write the number of bytes as an integer"));
}

TEST(KeyErrorsTest, EnumValues) {
  EXPECT_THAT(
      globalErrors("log_level = \"warning\"\n"),
      ElementsAre(
          "t.toml:2:13: global.log_level: unknown value \"warning\" (did you mean \"warn\"?); expected one of trace, debug, info, warn, error"));
  EXPECT_THAT(
      globalErrors("log_level = \"INFO\"\n"),
      ElementsAre(
          "t.toml:2:13: global.log_level: unknown value \"INFO\" (did you mean \"info\"?); expected one of trace, debug, info, warn, error"));
  EXPECT_THAT(
      globalErrors("log_level = \"verbose\"\n"),
      ElementsAre(
          "t.toml:2:13: global.log_level: unknown value \"verbose\"; expected one of trace, debug, info, warn, error"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "balance = \"roundrobin\"\n"),
      ElementsAre(
          "t.toml:9:11: cluster[0].balance: unknown value \"roundrobin\" (did you mean \"round_robin\"?); expected one of least_conn, round_robin"));
  EXPECT_THAT(
      errorsOf(std::string(kValidTail) + "proxy_protocol = \"v3\"\n"),
      ElementsAre(
          "t.toml:9:18: cluster[0].proxy_protocol: unknown value \"v3\" (did you mean \"v1\"?); expected one of none, v1, v2"));
}

TEST(KeyErrorsTest, UnknownKeysEverywhere) {
  EXPECT_THAT(
      errorsOf(R"(
[globl]
workers = 2

[global]
wrokers = 2

[[listener]]
name = "amqp"
adress = "127.0.0.1:5670"
address = "127.0.0.1:5670"
cluster = "rabbit"
  [listener.tcp]
  no_delay = true

[[cluster]]
name = "rabbit"
conect_timeout = "5s"
colour = "blue"
node = [{ address = "127.0.0.1:5672", wieght = 2 }]
[cluster.tpc]
)"),
      ElementsAre(
          "t.toml:1:1: globl: unknown key 'globl' (did you mean 'global'?)",
          "t.toml:5:11: global.wrokers: unknown key 'wrokers' (did you mean 'workers'?)",
          "t.toml:9:10: listener[0].adress: unknown key 'adress' (did you mean 'address'?)",
          "t.toml:13:14: listener[0].tcp.no_delay: unknown key 'no_delay' (did you mean 'nodelay'?)",
          "t.toml:17:18: cluster[0].conect_timeout: unknown key 'conect_timeout' (did you mean 'connect_timeout'?)",
          "t.toml:18:10: cluster[0].colour: unknown key 'colour'",
          "t.toml:19:48: cluster[0].node[0].wieght: unknown key 'wieght' (did you mean 'weight'?)",
          "t.toml:20:1: cluster[0].tpc: unknown key 'tpc' (did you mean 'tcp'?)"));
}

TEST(KeyErrorsTest, KeysBelowASubTableHeaderSayWhereTheyBelong) {
  EXPECT_THAT(
      errorsOf(R"(
workers = 4

[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
nodelay = false
  [listener.tcp]
  keepalive = true
backlog = 10

[[cluster]]
name = "rabbit"
address = "127.0.0.1:5672"
  [[cluster.node]]
  address = "127.0.0.1:5673"
connect_timeout = "1s"
  [cluster.tcp]
  nodelay = true
down_backoff = "1s"
)"),
      ElementsAre(
          "t.toml:1:11: workers: unknown key 'workers' (it belongs in [global])",
          "t.toml:7:11: listener[0].nodelay: unknown key 'nodelay' (it belongs in [listener.tcp])",
          "t.toml:10:11: listener[0].tcp.backlog: unknown key 'backlog' (it belongs in [[listener]]; keys after the [listener.tcp] header go into [listener.tcp])",
          "t.toml:14:11: cluster[0].address: unknown key 'address' (it belongs in [[cluster.node]])",
          "t.toml:17:19: cluster[0].node[0].connect_timeout: unknown key 'connect_timeout' (it belongs in [[cluster]]; keys after a [[cluster.node]] header go into that node)",
          "t.toml:20:16: cluster[0].tcp.down_backoff: unknown key 'down_backoff' (it belongs in [[cluster]]; keys after the [cluster.tcp] header go into [cluster.tcp])"));
}

TEST(KeyErrorsTest, PluralSectionNames) {
  EXPECT_THAT(
      errorsOf(R"(
[[listeners]]
name = "amqp"
[[clusters]]
name = "rabbit"
)"),
      ElementsAre("t.toml:1:1: listeners: unknown key 'listeners' (did you mean 'listener'?)",
                  "t.toml:1:1: listener: at least one [[listener]] is required",
                  "t.toml:1:1: cluster: at least one [[cluster]] is required",
                  "t.toml:3:1: clusters: unknown key 'clusters' (did you mean 'cluster'?)"));
}

TEST(KeyErrorsTest, QuotedUnknownKeysAreShownQuoted) {
  EXPECT_THAT(
      errorsOf("[global]\n\"log level\" = \"info\"\n" + std::string(kValidTail)),
      ElementsAre(
          "t.toml:2:15: global.\"log level\": unknown key \"log level\" (did you mean 'log_level'?)"));
}

TEST(KeyErrorsTest, MissingRequiredKeysAreReportedAtTheTable) {
  EXPECT_THAT(errorsOf(R"(
[[listener]]
accept_proxy = true

[[cluster]]
balance = "round_robin"
  [[cluster.node]]
  weight = 2
)"),
              ElementsAre("t.toml:1:1: listener[0].name: missing required key",
                          "t.toml:1:1: listener[0].address: missing required key",
                          "t.toml:1:1: listener[0].cluster: missing required key",
                          "t.toml:4:1: cluster[0].name: missing required key",
                          "t.toml:6:3: cluster[0].node[0].address: missing required key"));
}

TEST(KeyErrorsTest, MissingKeysOfInlineNodesAreReportedAtTheBrace) {
  EXPECT_THAT(errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }, { weight = 2 }]
)"),
              ElementsAre("t.toml:7:41: cluster[0].node[1].address: missing required key"));
}

TEST(KeyErrorsTest, NamesMustBeNonEmptyAndSimple) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = ""
address = "127.0.0.1:5670"
cluster = "rabbit"
[[listener]]
name = "amqp main"
address = "127.0.0.1:5671"
cluster = ""
[[cluster]]
name = "rabbit/1"
node = [{ address = "127.0.0.1:5672" }]
[[cluster]]
name = 7
node = [{ address = "127.0.0.1:5672" }]
)"),
      ElementsAre(
          "t.toml:2:8: listener[0].name: must not be empty",
          "t.toml:6:8: listener[1].name: invalid name \"amqp main\": use only letters, digits, '_', '.' and '-'",
          "t.toml:8:11: listener[1].cluster: must not be empty",
          "t.toml:10:8: cluster[0].name: invalid name \"rabbit/1\": use only letters, digits, '_', '.' and '-'",
          "t.toml:13:8: cluster[1].name: expected a string, found an integer"));
}

TEST(KeyErrorsTest, Addresses) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "a"
address = "localhost:5672"
cluster = "rabbit"
[[listener]]
name = "b"
address = "0.0.0.0"
cluster = "rabbit"
[[listener]]
name = "c"
address = 5672
cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [
  { address = "-rabbit-1:5672" },
  { address = "10.0.0.5:0" },
  { address = "::1" },
  { address = "10.0.0.5:99999" },
  { address = "10.0.0.256:5672" },
]
)"),
      ElementsAre(
          "t.toml:3:11: listener[0].address: a listener address must be an IP address: use \"0.0.0.0\", \"127.0.0.1\" or an interface address instead of \"localhost\"",
          "t.toml:7:11: listener[1].address: missing port in address \"0.0.0.0\": expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\"",
          "t.toml:11:11: listener[2].address: expected an address string such as \"10.0.0.5:5672\", found an integer",
          "t.toml:16:15: cluster[0].node[0].address: \"-rabbit-1\" is not a valid host name",
          "t.toml:17:15: cluster[0].node[1].address: port 0 is not allowed in address \"10.0.0.5:0\"",
          "t.toml:18:15: cluster[0].node[2].address: IPv6 address \"::1\" must be written in brackets with a port, such as \"[::1]:5672\"",
          "t.toml:19:15: cluster[0].node[3].address: invalid port \"99999\" in address \"10.0.0.5:99999\" (expected 0..65535)",
          "t.toml:20:15: cluster[0].node[4].address: \"10.0.0.256\" is not a valid IP address"));
}

TEST(KeyErrorsTest, SectionsOfTheWrongShape) {
  EXPECT_THAT(
      errorsOf(R"(
[listener]
name = "amqp"
[cluster]
name = "rabbit"
)"),
      ElementsAre("t.toml:1:1: listener: expected an array of tables ([[listener]]), found a table",
                  "t.toml:3:1: cluster: expected an array of tables ([[cluster]]), found a table"));
  EXPECT_THAT(errorsOf(R"(
listener = [1, "x"]
cluster = []
)"),
              ElementsAre("t.toml:1:13: listener[0]: expected a table, found an integer",
                          "t.toml:1:16: listener[1]: expected a table, found a string",
                          "t.toml:2:11: cluster: at least one [[cluster]] is required"));
}

TEST(KeyErrorsTest, NodesOfTheWrongShape) {
  const std::string head = R"([[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
)";
  EXPECT_THAT(errorsOf(head),
              ElementsAre("t.toml:5:1: cluster[0].node: at least one node is required"));
  EXPECT_THAT(errorsOf(head + "node = []\n"),
              ElementsAre("t.toml:7:8: cluster[0].node: at least one node is required"));
  EXPECT_THAT(
      errorsOf(head + "node = { address = \"127.0.0.1:5672\" }\n"),
      ElementsAre(
          "t.toml:7:8: cluster[0].node: expected an array of tables ([[cluster.node]] or node = [{ ... }]), found a table"));
  EXPECT_THAT(errorsOf(head + "node = [\"127.0.0.1:5672\"]\n"),
              ElementsAre("t.toml:7:9: cluster[0].node[0]: expected a table, found a string"));
  EXPECT_THAT(errorsOf(head + "tcp = true\nnode = [{ address = \"127.0.0.1:5672\" }]\n"),
              ElementsAre("t.toml:7:7: cluster[0].tcp: expected a table, found a boolean"));
}

}  // namespace
}  // namespace warren::config
