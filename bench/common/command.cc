#include "common/command.h"

namespace warren::bench {

namespace {
constexpr std::array<uint8_t, 4> kMagic = {'W', 'B', 'C', 'H'};

bool knownMode(uint8_t byte) {
  switch (static_cast<Mode>(byte)) {
    case Mode::Quick:
    case Mode::Echo:
    case Mode::Sink:
    case Mode::Source:
    case Mode::Hold:
      return true;
  }
  return false;
}
}  // namespace

void putBe64(uint8_t* out, uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(value);
    value >>= 8;
  }
}

uint64_t getBe64(const uint8_t* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | in[i];
  return value;
}

std::array<uint8_t, kCommandLength> encodeCommand(const Command& command) {
  std::array<uint8_t, kCommandLength> out{};
  for (size_t i = 0; i < kMagic.size(); ++i) out[i] = kMagic[i];
  out[4] = static_cast<uint8_t>(command.mode);
  putBe64(out.data() + 8, command.argument);
  return out;
}

std::optional<Command> decodeCommand(std::span<const uint8_t, kCommandLength> bytes) {
  for (size_t i = 0; i < kMagic.size(); ++i) {
    if (bytes[i] != kMagic[i]) return std::nullopt;
  }
  if (!knownMode(bytes[4]) || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) return std::nullopt;
  return Command{static_cast<Mode>(bytes[4]), getBe64(bytes.data() + 8)};
}

}  // namespace warren::bench
