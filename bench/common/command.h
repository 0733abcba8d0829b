// The 16-byte command a bench client sends to warren-bench-backend right after the
// PROXY header: "WBCH", one mode byte, three zero bytes, a big-endian 64-bit argument.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace warren::bench {

inline constexpr size_t kCommandLength = 16;
inline constexpr size_t kReplyLength = 8;
// The reply to Quick and Hold: lets the client see that the backend got the command.
inline constexpr std::array<uint8_t, kReplyLength> kOkReply = {'W', 'B', 'C', 'H', 'o', 'k', 'o', 'k'};

enum class Mode : uint8_t {
  Quick = 'Q',   // reply kOkReply, then close
  Echo = 'E',    // echo every byte until EOF
  Sink = 'S',    // count bytes until EOF (or until `argument` bytes when > 0), reply the count
  Source = 'O',  // write `argument` bytes, then close
  Hold = 'H',    // reply kOkReply, then read and discard until the peer closes
};

struct Command {
  Mode mode = Mode::Quick;
  uint64_t argument = 0;

  bool operator==(const Command&) const = default;
};

std::array<uint8_t, kCommandLength> encodeCommand(const Command& command);

// nullopt when the magic, the mode or the zero padding is wrong. `bytes` must hold
// at least kCommandLength bytes (only those are read).
std::optional<Command> decodeCommand(std::span<const uint8_t, kCommandLength> bytes);

// Big-endian 64-bit helpers (the Sink reply and the argument use them).
void putBe64(uint8_t* out, uint64_t value);
uint64_t getBe64(const uint8_t* in);

}  // namespace warren::bench
