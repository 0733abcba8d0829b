// AMQP 0-9-1 frames for tests, written from the spec: frame = type u8, channel u16,
// size u32, payload, 0xCE; method payload = class u16, method u16, arguments.
#pragma once

#include <cstdint>
#include <string>

namespace warren::test::amqp091 {

inline const std::string kProtocolHeader("AMQP\0\0\x09\x01", 8);
inline const std::string kHeartbeat("\x08\x00\x00\x00\x00\x00\x00\xCE", 8);

inline std::string u8(uint8_t v) { return std::string(1, static_cast<char>(v)); }
inline std::string u16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
inline std::string u32(uint32_t v) { return u16(static_cast<uint16_t>(v >> 16)) + u16(static_cast<uint16_t>(v)); }
inline std::string shortstr(const std::string& s) { return u8(static_cast<uint8_t>(s.size())) + s; }
inline std::string longstr(const std::string& s) { return u32(static_cast<uint32_t>(s.size())) + s; }

inline std::string method(uint16_t class_id, uint16_t method_id, const std::string& args) {
  std::string payload = u16(class_id) + u16(method_id) + args;
  return u8(1) + u16(0) + u32(static_cast<uint32_t>(payload.size())) + payload + "\xCE";
}

// A table with one longstr entry ("S").
inline std::string table(const std::string& key, const std::string& value) {
  std::string entry = shortstr(key) + "S" + longstr(value);
  return longstr(entry);
}

inline std::string start() {
  return method(10, 10, u8(0) + u8(9) + table("product", "FakeBroker") + longstr("PLAIN") + longstr("en_US"));
}
inline std::string startOk(const std::string& connection_name, const std::string& password) {
  return method(10, 11, table("connection_name", connection_name) + shortstr("PLAIN") +
                            longstr(std::string("\0guest\0", 7) + password) + shortstr("en_US"));
}
inline std::string tune(uint16_t heartbeat) { return method(10, 30, u16(2047) + u32(131072) + u16(heartbeat)); }
inline std::string tuneOk(uint16_t heartbeat) { return method(10, 31, u16(2047) + u32(131072) + u16(heartbeat)); }
inline std::string open(const std::string& vhost) { return method(10, 40, shortstr(vhost) + shortstr("") + u8(0)); }
inline std::string openOk() { return method(10, 41, shortstr("")); }

}  // namespace warren::test::amqp091
