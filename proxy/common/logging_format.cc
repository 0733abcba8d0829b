#include "common/logging_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "common/logging_utf8.h"

namespace warren::logging {
namespace {

bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted value starting after the opening quote; `at` ends after the closing one
// (or at the end when unterminated). An \xNN of a byte >= 0x80 stays as the four characters
// "\xNN": alone it would not be UTF-8.
std::string readQuoted(std::string_view s, size_t& at) {
  std::string out;
  while (at < s.size()) {
    const char c = s[at++];
    if (c == '"') return out;
    if (c != '\\' || at >= s.size()) {
      out += c;
      continue;
    }
    const char e = s[at];
    if (e == '"' || e == '\\') {
      out += e;
      ++at;
    } else if (e == 'x' && at + 2 < s.size() && hexValue(s[at + 1]) >= 0 && hexValue(s[at + 2]) >= 0) {
      const int byte = hexValue(s[at + 1]) * 16 + hexValue(s[at + 2]);
      if (byte < 0x80) {
        out += static_cast<char>(byte);
      } else {
        out.append(s.substr(at - 1, 4));
      }
      at += 3;
    } else {
      out += '\\';
    }
  }
  return out;
}

bool isInteger(std::string_view v) {
  size_t i = v.size() > 1 && v[0] == '-' ? 1 : 0;
  if (i >= v.size() || v.size() - i > 18) return false;
  if (v[i] == '0' && v.size() - i > 1) return false;  // 007 is not a number
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

std::string jsonValue(const Field& f) {
  if (!f.quoted && (isInteger(f.value) || f.value == "true" || f.value == "false")) return f.value;
  return jsonString(f.value);
}

}  // namespace

std::string_view levelName(LineLevel level) {
  switch (level) {
    case LineLevel::Trace: return "trace";
    case LineLevel::Debug: return "debug";
    case LineLevel::Info: return "info";
    case LineLevel::Warning: return "warning";
    case LineLevel::Error: return "error";
    case LineLevel::Critical: return "critical";
  }
  return "info";
}

int syslogPriority(LineLevel level) {
  switch (level) {
    case LineLevel::Trace:
    case LineLevel::Debug: return 7;
    case LineLevel::Info: return 6;
    case LineLevel::Warning: return 4;
    case LineLevel::Error: return 3;
    case LineLevel::Critical: return 2;
  }
  return 6;
}

std::string formatTimestamp(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms - int64_t(seconds) * 1000));
}

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t n = c >= 0x80 ? utf8SequenceLength(text.substr(i)) : 0;
    if (n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

ParsedMessage parseMessage(std::string_view s) {
  ParsedMessage out;
  size_t at = 0;
  auto skipSpaces = [&] {
    while (at < s.size() && s[at] == ' ') ++at;
  };
  auto addText = [&](std::string word) {
    if (!out.text.empty()) out.text += ' ';
    out.text += word;
  };
  skipSpaces();
  bool first = true;
  while (at < s.size()) {
    const size_t start = at;
    if (s[at] == '"') {
      ++at;
      addText(readQuoted(s, at));
    } else {
      size_t key_end = at;
      while (key_end < s.size() && isKeyChar(s[key_end])) ++key_end;
      if (key_end > at && key_end < s.size() && s[key_end] == '=') {
        Field f;
        f.key = std::string(s.substr(at, key_end - at));
        at = key_end + 1;
        if (at < s.size() && s[at] == '"') {
          ++at;
          f.quoted = true;
          f.value = readQuoted(s, at);
        } else {
          const size_t end = std::min(s.find(' ', at), s.size());
          f.value = std::string(s.substr(at, end - at));
          at = end;
        }
        out.fields.push_back(std::move(f));
      } else {
        const size_t end = std::min(s.find(' ', at), s.size());
        std::string word(s.substr(start, end - start));
        at = end;
        if (first) {
          out.event = std::move(word);
        } else {
          addText(std::move(word));
        }
      }
    }
    first = false;
    skipSpaces();
  }
  return out;
}

std::string_view eventOf(std::string_view message) {
  const size_t end = message.find(' ');
  const std::string_view word = message.substr(0, end);
  return word.find('=') == std::string_view::npos && word.find('"') == std::string_view::npos ? word
                                                                                                 : std::string_view();
}

std::string jsonString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string formatJson(const LineInput& input) {
  const ParsedMessage parsed = parseMessage(sanitize(input.message));
  std::string out = "{\"ts\":" + jsonString(formatTimestamp(input.time)) +
                    ",\"level\":" + jsonString(levelName(input.level)) + ",\"event\":" + jsonString(parsed.event);
  std::vector<std::string> used{"ts", "level", "event"};
  auto uniqueKey = [&](std::string key) {
    if (key == "ts" || key == "level" || key == "event") key += '_';
    std::string candidate = key;
    for (int n = 2; std::find(used.begin(), used.end(), candidate) != used.end(); ++n) {
      candidate = key + "_" + std::to_string(n);
    }
    used.push_back(candidate);
    return candidate;
  };
  for (const Field& f : parsed.fields) {
    out += ',' + jsonString(uniqueKey(f.key)) + ':' + jsonValue(f);
  }
  if (!parsed.text.empty()) out += ',' + jsonString(uniqueKey("text")) + ':' + jsonString(parsed.text);
  out += '}';
  return out;
}

std::string formatLine(Format format, const LineInput& input, bool priority_prefix) {
  std::string line;
  if (priority_prefix) line = fmt::format("<{}>", syslogPriority(input.level));
  if (format == Format::Json) {
    line += formatJson(input);
  } else {
    line += formatTimestamp(input.time);
    line += ' ';
    line += levelName(input.level);
    line += ' ';
    line += sanitize(input.message);
  }
  line += '\n';
  return line;
}

}  // namespace warren::logging
