// AMQP 0-9-1 field tables as RabbitMQ reads them (rabbit_binary_parser; RabbitMQ's
// "AMQP 0-9-1 errata" type letters, which differ from the 0-9-1 PDF's). Internal to amqp.
//
//   table = long-uint length, then (short-string name, field-value)*
//   field-value = one type letter and its value:
//     t bool (1)  b int8 (1)  B uint8 (1)  s int16 (2)  u uint16 (2)  I int32 (4)
//     i uint32 (4)  l int64 (8)  L int64 (8)  f float (4)  d double (8)  D decimal (1+4)
//     T timestamp (8)  V void (0)  S long string, x byte array, F table, A array
//     (each a long-uint length, then that many bytes)
//   array = long-uint length, then field-value*
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "amqp/status.h"

namespace warren::amqp::amqp091 {

// Tables and arrays nested deeper than this inside a table are BadFieldTable (real peers
// nest two levels: client-properties.capabilities).
inline constexpr int kMaxTableNesting = 16;

// A top-level key whose long-string ('S') value is wanted. Filled from the first entry
// with that name whose value is an 'S' (cut to kMaxInfoStringLength).
struct WantedString {
  std::string_view key;
  std::string* out;
  bool found = false;
};

// Walks the entries of a table (`entries` is what follows the table's length field),
// checks every value, nested tables and arrays included, and fills `wanted`.
// Error::BadFieldTable on a truncated entry or value, an unknown type letter, or nesting
// beyond kMaxTableNesting; Error::None otherwise.
Error readFieldTable(std::span<const uint8_t> entries, std::span<WantedString> wanted);

}  // namespace warren::amqp::amqp091
