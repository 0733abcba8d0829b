#include "common/logging_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/logging.h"

namespace warren::logging {
namespace {

using std::chrono::milliseconds;
const auto kTime = std::chrono::system_clock::time_point(milliseconds(1795306200123));  // 2026-11-22T00:10:00.123Z

TEST(LoggingFormat, Timestamp) { EXPECT_EQ(formatTimestamp(kTime), "2026-11-22T00:10:00.123Z"); }

TEST(LoggingFormat, QuoteKeepsPlainValuesAndValidUtf8) {
  EXPECT_EQ(quote("abc"), "abc");
  EXPECT_EQ(quote("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a b"), "\"a b\"");
  EXPECT_EQ(quote("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
}

TEST(LoggingFormat, QuoteEscapesControlDelAndInvalidUtf8) {
  EXPECT_EQ(quote("a\nb"), "\"a\\x0ab\"");
  EXPECT_EQ(quote("x\x7fy"), "\"x\\x7fy\"");
  EXPECT_EQ(quote("\xff"), "\"\\xff\"");
  EXPECT_EQ(quote("\xc3"), "\"\\xc3\"");                    // truncated sequence
  EXPECT_EQ(quote("\xc0\xaf"), "\"\\xc0\\xaf\"");           // overlong '/'
  EXPECT_EQ(quote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // surrogate
  EXPECT_EQ(quote("ok\xe2\x82\xac\xff"), "\"ok\xe2\x82\xac\\xff\"");
}

TEST(LoggingFormat, CappedCutsAtACharacterBoundary) {
  EXPECT_EQ(capped("short", 10), "short");
  EXPECT_EQ(capped(std::string(300, 'a')), std::string(256, 'a') + "...(300 bytes)");
  // "é" is 2 bytes: a cut at 3 would split the second one.
  EXPECT_EQ(capped("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9...(4 bytes)");
}

TEST(LoggingFormat, SanitizeMakesOneValidLine) {
  EXPECT_EQ(sanitize("event host=a\nb"), "event host=a\\x0ab");
  EXPECT_EQ(sanitize("x\xff\x7f\xc3\xa9\\"), "x\\xff\\x7f\xc3\xa9\\");
}

TEST(LoggingFormat, TextLine) {
  EXPECT_EQ(formatLine(Format::Text, {kTime, LineLevel::Info, "access client=1.2.3.4:5 reason=client_closed"}, false),
            "2026-11-22T00:10:00.123Z info access client=1.2.3.4:5 reason=client_closed\n");
  EXPECT_EQ(formatLine(Format::Text, {kTime, LineLevel::Warning, "x"}, true), "<4>2026-11-22T00:10:00.123Z warning x\n");
}

TEST(LoggingFormat, PrioritiesFollowSyslog) {
  EXPECT_EQ(syslogPriority(LineLevel::Debug), 7);
  EXPECT_EQ(syslogPriority(LineLevel::Info), 6);
  EXPECT_EQ(syslogPriority(LineLevel::Warning), 4);
  EXPECT_EQ(syslogPriority(LineLevel::Error), 3);
  EXPECT_EQ(syslogPriority(LineLevel::Critical), 2);
}

TEST(LoggingFormat, ParseFieldsQuotesAndEscapes) {
  const ParsedMessage m = parseMessage("access a=1 b=\"x y\" c=\"q\\\"\\\\\" d=\"\\x01\\xff\" e= loose");
  EXPECT_EQ(m.event, "access");
  ASSERT_EQ(m.fields.size(), 5u);
  EXPECT_EQ(m.fields[0].value, "1");
  EXPECT_EQ(m.fields[1].value, "x y");
  EXPECT_TRUE(m.fields[1].quoted);
  EXPECT_EQ(m.fields[2].value, "q\"\\");
  EXPECT_EQ(m.fields[3].value, "\x01\\xff");  // a byte >= 0x80 alone stays written out
  EXPECT_EQ(m.fields[4].value, "");
  EXPECT_EQ(m.text, "loose");
}

nlohmann::json jsonOf(std::string_view message, LineLevel level = LineLevel::Info) {
  const std::string line = formatLine(Format::Json, {kTime, level, message}, false);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  return nlohmann::json::parse(line);  // throws on invalid JSON or UTF-8
}

TEST(LoggingFormat, JsonHasStableKeysAndTypedValues) {
  const auto j = jsonOf(
      "access client=127.0.0.2:40000 listener=amqp duration_ms=1200 tls=true "
      "connection_name=\"orders \\\"eu\\\"\" port=007 n=\"5\"");
  EXPECT_EQ(j["ts"], "2026-11-22T00:10:00.123Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["event"], "access");
  EXPECT_EQ(j["client"], "127.0.0.2:40000");
  EXPECT_EQ(j["duration_ms"], 1200);
  EXPECT_EQ(j["tls"], true);
  EXPECT_EQ(j["connection_name"], "orders \"eu\"");
  EXPECT_EQ(j["port"], "007");
  EXPECT_EQ(j["n"], "5");  // quoted: a string
  // Keys in a fixed order: ts, level, event, then the fields as written.
  EXPECT_EQ(formatJson({kTime, LineLevel::Info, "e k=v"}),
            "{\"ts\":\"2026-11-22T00:10:00.123Z\",\"level\":\"info\",\"event\":\"e\",\"k\":\"v\"}");
}

TEST(LoggingFormat, JsonEscapesHostileValues) {
  const std::string value("a\x01\x7f\xff\n\"b\\ \xc3\xa9", 11);
  const auto j = jsonOf("tls_handshake_failed sni=" + quote(value) + " raw=x\xfe");
  EXPECT_EQ(j["sni"], std::string("a\x01\x7f\\xff\n\"b\\ \xc3\xa9"));
  EXPECT_EQ(j["raw"], "x\\xfe");
}

TEST(LoggingFormat, JsonKeyCollisionsAndLooseText) {
  const auto j = jsonOf("config_warning \"t.toml:1:2: key: bad\" level=x a=1 a=2", LineLevel::Warning);
  EXPECT_EQ(j["event"], "config_warning");
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["level_"], "x");
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(j["a_2"], 2);
  EXPECT_EQ(j["text"], "t.toml:1:2: key: bad");
  const auto k = jsonOf("signal=SIGHUP: no configuration file");
  EXPECT_EQ(k["event"], "");
  EXPECT_EQ(k["signal"], "SIGHUP:");
  EXPECT_EQ(k["text"], "no configuration file");
}

TEST(LoggingFormat, EventOf) {
  EXPECT_EQ(eventOf("access a=1"), "access");
  EXPECT_EQ(eventOf("access"), "access");
  EXPECT_EQ(eventOf("a=1 b"), "");
}

}  // namespace
}  // namespace warren::logging
