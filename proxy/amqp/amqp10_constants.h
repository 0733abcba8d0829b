// AMQP 1.0 wire constants used by the handshake sniffer. Internal to amqp.
// Part 1 §1.6 (type encodings), part 2 §2.3 (frames) and §2.7 (performatives),
// part 5 §5.3 (SASL).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace warren::amqp::amqp10 {

// §2.3.1 frame header: SIZE (4, whole frame), DOFF (1, header length in 4-byte words,
// at least 2), TYPE (1), type-specific (2: the channel for AMQP frames).
inline constexpr size_t kFrameHeaderSize = 8;
inline constexpr size_t kDataOffsetOffset = 4;
inline constexpr size_t kFrameTypeOffset = 5;
inline constexpr size_t kDataOffsetUnit = 4;
inline constexpr uint8_t kMinDataOffset = 2;
inline constexpr uint8_t kFrameTypeAmqp = 0x00;
inline constexpr uint8_t kFrameTypeSasl = 0x01;

// §1.6 encoding codes ("constructors").
inline constexpr uint8_t kDescribed = 0x00;
inline constexpr uint8_t kNull = 0x40;
inline constexpr uint8_t kTrue = 0x41;
inline constexpr uint8_t kFalse = 0x42;
inline constexpr uint8_t kUint0 = 0x43;
inline constexpr uint8_t kUlong0 = 0x44;
inline constexpr uint8_t kList0 = 0x45;
inline constexpr uint8_t kUbyte = 0x50;
inline constexpr uint8_t kByte = 0x51;
inline constexpr uint8_t kSmallUint = 0x52;
inline constexpr uint8_t kSmallUlong = 0x53;
inline constexpr uint8_t kSmallInt = 0x54;
inline constexpr uint8_t kSmallLong = 0x55;
inline constexpr uint8_t kBoolean = 0x56;
inline constexpr uint8_t kUshort = 0x60;
inline constexpr uint8_t kShort = 0x61;
inline constexpr uint8_t kUint = 0x70;
inline constexpr uint8_t kInt = 0x71;
inline constexpr uint8_t kFloat = 0x72;
inline constexpr uint8_t kChar = 0x73;
inline constexpr uint8_t kDecimal32 = 0x74;
inline constexpr uint8_t kUlong = 0x80;
inline constexpr uint8_t kLong = 0x81;
inline constexpr uint8_t kDouble = 0x82;
inline constexpr uint8_t kTimestamp = 0x83;
inline constexpr uint8_t kDecimal64 = 0x84;
inline constexpr uint8_t kDecimal128 = 0x94;
inline constexpr uint8_t kUuid = 0x98;
inline constexpr uint8_t kVbin8 = 0xa0;
inline constexpr uint8_t kStr8 = 0xa1;
inline constexpr uint8_t kSym8 = 0xa3;
inline constexpr uint8_t kVbin32 = 0xb0;
inline constexpr uint8_t kStr32 = 0xb1;
inline constexpr uint8_t kSym32 = 0xb3;
inline constexpr uint8_t kList8 = 0xc0;
inline constexpr uint8_t kMap8 = 0xc1;
inline constexpr uint8_t kList32 = 0xd0;
inline constexpr uint8_t kMap32 = 0xd1;
inline constexpr uint8_t kArray8 = 0xe0;
inline constexpr uint8_t kArray32 = 0xf0;

// Descriptor codes (domain 0x00000000, so the whole ulong is the code) and their symbolic
// forms. §2.7 performatives, §2.8.14 error, §5.3.3 SASL frames.
inline constexpr uint64_t kOpen = 0x10;
inline constexpr uint64_t kBegin = 0x11;
inline constexpr uint64_t kAttach = 0x12;
inline constexpr uint64_t kFlow = 0x13;
inline constexpr uint64_t kTransfer = 0x14;
inline constexpr uint64_t kDisposition = 0x15;
inline constexpr uint64_t kDetach = 0x16;
inline constexpr uint64_t kEnd = 0x17;
inline constexpr uint64_t kClose = 0x18;
inline constexpr uint64_t kError = 0x1d;
inline constexpr uint64_t kSaslMechanisms = 0x40;
inline constexpr uint64_t kSaslInit = 0x41;
inline constexpr uint64_t kSaslChallenge = 0x42;
inline constexpr uint64_t kSaslResponse = 0x43;
inline constexpr uint64_t kSaslOutcome = 0x44;
// A symbolic descriptor we do not know.
inline constexpr uint64_t kUnknownDescriptor = ~uint64_t{0};

struct SymbolicDescriptor {
  std::string_view symbol;
  uint64_t code;
};
inline constexpr SymbolicDescriptor kSymbolicDescriptors[] = {
    {"amqp:open:list", kOpen},
    {"amqp:begin:list", kBegin},
    {"amqp:attach:list", kAttach},
    {"amqp:flow:list", kFlow},
    {"amqp:transfer:list", kTransfer},
    {"amqp:disposition:list", kDisposition},
    {"amqp:detach:list", kDetach},
    {"amqp:end:list", kEnd},
    {"amqp:close:list", kClose},
    {"amqp:error:list", kError},
    {"amqp:sasl-mechanisms:list", kSaslMechanisms},
    {"amqp:sasl-init:list", kSaslInit},
    {"amqp:sasl-challenge:list", kSaslChallenge},
    {"amqp:sasl-response:list", kSaslResponse},
    {"amqp:sasl-outcome:list", kSaslOutcome},
};

// Field positions in the performatives' lists.
inline constexpr uint32_t kOpenContainerId = 0;
inline constexpr uint32_t kOpenHostname = 1;
inline constexpr uint32_t kOpenMaxFrameSize = 2;
inline constexpr uint32_t kOpenChannelMax = 3;
inline constexpr uint32_t kOpenIdleTimeOut = 4;
inline constexpr uint32_t kCloseError = 0;
inline constexpr uint32_t kErrorCondition = 0;
inline constexpr uint32_t kSaslInitMechanism = 0;
inline constexpr uint32_t kSaslInitInitialResponse = 1;
inline constexpr uint32_t kSaslResponseResponse = 0;
inline constexpr uint32_t kSaslOutcomeCode = 0;

// §5.3.3.6 sasl-code values.
inline constexpr uint8_t kSaslCodeOk = 0;
inline constexpr uint8_t kSaslCodeAuth = 1;
inline constexpr uint8_t kSaslCodeSys = 2;
inline constexpr uint8_t kSaslCodeSysPerm = 3;
inline constexpr uint8_t kSaslCodeSysTemp = 4;

}  // namespace warren::amqp::amqp10
