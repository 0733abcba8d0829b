// How one log event becomes one line: pure functions, no I/O (unit-tested).
//
// Every event is written at its call site as a logfmt message, "event key=value ...", with
// values that may hold spaces or quotes passed through quote(). This file turns that message
// into the output line:
//
//   text:  2026-11-22T00:10:00.123Z info access client=127.0.0.2:40000 reason=client_closed
//   json:  {"ts":"2026-11-22T00:10:00.123Z","level":"info","event":"access","client":"127.0.0.2:40000",...}
//
// so that the JSON format needs no change at any call site. Under systemd the line is
// prefixed with its syslog priority ("<6>", sd-daemon(3)) and journald files it under that
// level. Whatever the message holds, the line is valid UTF-8 and has no line break.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warren::logging {

enum class Format { Text, Json };

// spdlog's level names as written in both formats: trace debug info warning error critical.
enum class LineLevel { Trace, Debug, Info, Warning, Error, Critical };

std::string_view levelName(LineLevel level);
// The syslog priority journald reads from a "<N>" prefix: debug 7, info 6, warning 4, error 3, critical 2.
int syslogPriority(LineLevel level);

// "2026-11-22T00:10:00.123Z" (UTC, milliseconds).
std::string formatTimestamp(std::chrono::system_clock::time_point time);

// `text` with every byte that would break a line or UTF-8 written as \xNN: control
// characters (newline included), 0x7F, and bytes that are not part of a valid UTF-8
// sequence. Valid multi-byte characters and backslashes are kept.
std::string sanitize(std::string_view text);

// One logfmt field of a message. `quoted`: the value was written "..." (unescaped here).
struct Field {
  std::string key;
  std::string value;
  bool quoted = false;
};

struct ParsedMessage {
  std::string event;          // the first word; "" when the message starts with a field
  std::vector<Field> fields;  // in order
  std::string text;           // words that are not key=value, joined by spaces
};

// Parses "event key=value key="quoted \"v\"" ..." as quote() writes it: \" \\ and \xNN
// escapes inside quotes.
ParsedMessage parseMessage(std::string_view message);

// One output line (with the trailing '\n'). `priority_prefix`: start with "<N>".
struct LineInput {
  std::chrono::system_clock::time_point time;
  LineLevel level = LineLevel::Info;
  std::string_view message;
};
std::string formatLine(Format format, const LineInput& input, bool priority_prefix);

// The JSON object of one event (no newline): {"ts":..,"level":..,"event":..,fields..}.
// Values that are integers or true/false are written as JSON numbers and booleans, the rest
// as strings; keys "ts", "level" and "event" of a field get a trailing '_'; a key repeated
// gets "_2", "_3"...; words that are not fields go into "text".
std::string formatJson(const LineInput& input);

// JSON string literal of UTF-8 `text` (valid UTF-8 in, sanitize() first otherwise).
std::string jsonString(std::string_view text);

// The event word of a message ("access" for an access line).
std::string_view eventOf(std::string_view message);

}  // namespace warren::logging
