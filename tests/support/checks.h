// Small checks shared by the component tests: bounded polling, an echo round trip, and
// the TLS fixture files.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "config/config.h"
#include "support/test_socket.h"

namespace warren::test {

// Polls (bounded) until `pred` holds.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Sends `text` and expects it back (echo backends).
inline void expectEcho(TestSocket& s, const std::string& text) {
  ASSERT_TRUE(s.sendAll(text));
  EXPECT_EQ(s.recvExact(text.size()), text);
}

inline std::string tlsFixture(const std::string& name) {
  return std::string(WARREN_SOURCE_DIR) + "/tests/fixtures/tls/" + name;
}

// tests/fixtures/tls/<stem>.crt and .key.
inline config::CertificateFiles fixtureCertificate(const std::string& stem) {
  config::CertificateFiles f;
  f.cert = tlsFixture(stem + ".crt");
  f.key = tlsFixture(stem + ".key");
  return f;
}

}  // namespace warren::test
