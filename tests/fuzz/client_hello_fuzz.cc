// libFuzzer target for the raw ClientHello parser (tls/client_hello_parser.h) and the
// first-bytes diagnoses built on it (diagnoseFirstBytes, diagnoseTlsOnPlaintext). Aborts on
// any broken invariant:
//  - a parsed hello never holds GREASE values, its SNI is lower-case without NUL bytes, and it
//    holds no more cipher suites than the input has byte pairs;
//  - whether the input parses at all depends only on its first 6 bytes;
//  - prefixes: a prefix's cipher list is a prefix of the whole input's cipher list (unless a
//    length inside the hello is inconsistent), and a prefix is never "complete" when the
//    whole input was cut;
//  - diagnoseFirstBytes() looks at no more than 8 bytes; diagnoseTlsOnPlaintext() only
//    answers for a handshake record.
// Seeds (tests/fuzz/corpus/client_hello_fuzz/): ClientHellos captured from a BoringSSL client
// (TLS 1.3, TLS 1.2, TLS 1.1, GREASE with permuted extensions, fragmented into 3 records,
// truncated) and from `openssl s_client` (default, and TLS 1.2 with every cipher), plus a
// plaintext AMQP header and an HTTP request.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "tls/client_hello_parser.h"
#include "tls/diagnosis.h"
#include "fuzz_check.h"

namespace tls = warren::tls;

namespace {

void checkHello(const tls::ParsedClientHello& hello, size_t size) {
  for (uint16_t v : hello.versions) FUZZ_CHECK(!tls::isGrease(v));
  for (uint16_t c : hello.ciphers) FUZZ_CHECK(!tls::isGrease(c));
  for (uint16_t s : hello.signature_algorithms) FUZZ_CHECK(!tls::isGrease(s));
  FUZZ_CHECK(hello.ciphers.size() <= size / 2);
  for (char c : hello.sni) {
    FUZZ_CHECK(c != '\0');
    FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
  }
}

bool isPrefix(const std::vector<uint16_t>& prefix, const std::vector<uint16_t>& whole) {
  if (prefix.size() > whole.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != whole[i]) return false;
  }
  return true;
}

bool sameDiagnosis(const std::optional<tls::Diagnosis>& a, const std::optional<tls::Diagnosis>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->reason == b->reason && a->hint == b->hint && a->offered == b->offered && a->sni == b->sni;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);

  const auto hello = tls::parseClientHello(input);
  if (hello) checkHello(*hello, size);
  if (size >= 6) {
    FUZZ_CHECK(tls::parseClientHello(input.first(6)).has_value() == hello.has_value());
  } else {
    FUZZ_CHECK(!hello.has_value());
  }
  if (hello && !hello->malformed) {
    for (size_t cut : {size / 2, size > 0 ? size - 1 : 0}) {
      const auto part = tls::parseClientHello(input.first(cut));
      if (!part) continue;
      checkHello(*part, cut);
      if (!part->malformed) FUZZ_CHECK(isPrefix(part->ciphers, hello->ciphers));
      if (hello->truncated) FUZZ_CHECK(part->truncated);
    }
  }

  // Extension-body parsers on arbitrary bytes.
  const std::string sni = tls::parseServerNameExtension(input);
  for (char c : sni) FUZZ_CHECK(c != '\0' && !(c >= 'A' && c <= 'Z'));
  for (uint16_t v : tls::parseSupportedVersionsExtension(input)) FUZZ_CHECK(!tls::isGrease(v));
  for (uint16_t v : tls::parseSignatureAlgorithmsExtension(input)) FUZZ_CHECK(!tls::isGrease(v));

  // Diagnoses from first bytes.
  const auto first = tls::diagnoseFirstBytes(input);
  if (size > 8) FUZZ_CHECK(sameDiagnosis(first, tls::diagnoseFirstBytes(input.first(8))));
  if (first) FUZZ_CHECK(first->reason != tls::FailureReason::TlsOnPlaintext);
  const auto on_plaintext = tls::diagnoseTlsOnPlaintext(input);
  if (on_plaintext) {
    FUZZ_CHECK(size >= 3 && data[0] == tls::kRecordTypeHandshake);
    FUZZ_CHECK(on_plaintext->reason == tls::FailureReason::TlsOnPlaintext);
    if (hello) FUZZ_CHECK(on_plaintext->sni == hello->sni);
  }
  return 0;
}
