// The SASL response is a credential: it never reaches HandshakeInfo or any text the
// module produces, and nothing the sniffer reports depends on its bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::Bytes;
using test::contains;
using test::Fixture;
using test::kFixturePassword;
using test::kFixtureWrongPassword;
using test::loadFixture;

const char* const kAllFixtures[] = {"pika_091",
                                    "amqp_tools_091",
                                    "proton_10",
                                    "raw_10_no_sasl",
                                    "pika_091_bad_password",
                                    "raw_091_bad_plain_response",
                                    "proton_10_bad_password",
                                    "http_get",
                                    "tls_client_hello",
                                    "amqp_0_10_header"};

// Every text the module can produce about a sniffer: info strings and enum names/hints.
std::vector<std::string> everyOutput(const Sniffer& s) {
  std::vector<std::string> out = test::infoStrings(s.info());
  out.push_back(toString(s.status()));
  out.push_back(toString(s.error()));
  out.push_back(toString(s.misdirected()));
  out.push_back(hint(s.misdirected()));
  out.push_back(toString(s.info().protocol));
  out.push_back(toString(s.info().server_protocol));
  out.push_back(toString(s.info().outcome));
  return out;
}

TEST(CredentialTest, FixturesReallyCarryThePasswords) {
  // Otherwise the scans below would prove nothing.
  for (const char* name :
       {"pika_091", "amqp_tools_091", "proton_10", "raw_091_bad_plain_response"}) {
    EXPECT_TRUE(contains(loadFixture(name).client, kFixturePassword)) << name;
  }
  for (const char* name : {"pika_091_bad_password", "proton_10_bad_password"}) {
    EXPECT_TRUE(contains(loadFixture(name).client, kFixtureWrongPassword)) << name;
  }
}

TEST(CredentialTest, NoOutputContainsAPassword) {
  for (const char* name : kAllFixtures) {
    const Fixture f = loadFixture(name);
    for (size_t fragment : test::fragmentSizes()) {
      SCOPED_TRACE(std::string(name) + " fragment " + std::to_string(fragment));
      Sniffer s;
      test::feedFixture(s, f, fragment, /*keep_feeding=*/true);
      for (const std::string& text : everyOutput(s)) {
        EXPECT_FALSE(contains(text, kFixturePassword)) << text;
        EXPECT_FALSE(contains(text, kFixtureWrongPassword)) << text;
        EXPECT_FALSE(contains(text, "fixture-user")) << text;  // PLAIN's authcid too
      }
    }
  }
}

TEST(CredentialTest, TheScanWouldSeeAPasswordInANonCredentialField) {
  // Sensitivity check: the same password placed in connection_name does show up.
  Sniffer s;
  s.onClientBytes(test::span(test::amqp091Header()));
  s.onServerBytes(test::span(test::Handshake091().start));
  const Bytes props = test::table(test::stringEntry("connection_name", kFixturePassword));
  s.onClientBytes(test::span(test::method091(test::ids::kConnection, test::ids::kStartOk,
                                             test::startOkArgs(props, "response"))));
  EXPECT_EQ(s.info().connection_name, kFixturePassword);
}

TEST(CredentialTest, RangesCoverExactlyTheResponse) {
  const std::string plain = std::string("\0fixture-user\0", 14) + std::string(kFixturePassword);
  const std::pair<const char*, std::string> expected[] = {
      {"pika_091", plain},
      {"amqp_tools_091", plain},
      {"proton_10", plain},
      {"raw_091_bad_plain_response", std::string(kFixturePassword)},
      {"pika_091_bad_password",
       std::string("\0fixture-user\0", 14) + std::string(kFixtureWrongPassword)},
      {"proton_10_bad_password",
       std::string("\0fixture-user\0", 14) + std::string(kFixtureWrongPassword)},
  };
  for (const auto& [name, response] : expected) {
    SCOPED_TRACE(name);
    const Fixture f = loadFixture(name);
    Sniffer s;
    test::feedFixture(s, f, 0);
    ASSERT_EQ(s.credentialRanges().ranges().size(), 1u);
    EXPECT_FALSE(s.credentialRanges().overflow());
    const CredentialRange r = s.credentialRanges().ranges()[0];
    ASSERT_LE(r.offset + r.length, f.client.size());
    EXPECT_EQ(std::string(f.client.begin() + static_cast<ptrdiff_t>(r.offset),
                          f.client.begin() + static_cast<ptrdiff_t>(r.offset + r.length)),
              response);
  }
}

TEST(CredentialTest, ResultsDoNotDependOnTheResponseBytes) {
  // Rewrite the credential bytes (with letters, with frame-like bytes) and sniff again at
  // every fragment size: the same status, error and info.
  const uint8_t fillers[] = {'X', 0xCE, 0x00, 0x01, 'A'};
  for (const char* name : kAllFixtures) {
    const Fixture f = loadFixture(name);
    Sniffer reference;
    test::feedFixture(reference, f, 0);
    for (uint8_t filler : fillers) {
      Fixture changed = f;
      for (const CredentialRange& r : reference.credentialRanges().ranges()) {
        for (uint64_t i = 0; i < r.length; ++i) changed.client[r.offset + i] = filler;
      }
      for (size_t fragment : test::fragmentSizes()) {
        SCOPED_TRACE(std::string(name) + " filler " + std::to_string(filler) + " fragment " +
                     std::to_string(fragment));
        Sniffer s;
        test::feedFixture(s, changed, fragment);
        EXPECT_EQ(s.status(), reference.status());
        EXPECT_EQ(s.error(), reference.error());
        test::expectSameInfo(s.info(), reference.info());
      }
    }
  }
}

TEST(CredentialTest, ServerCloseTextIsNotKept) {
  // A server may quote the response in Connection.Close's reply-text (RabbitMQ's PLAIN
  // mechanism formats "response ~tp invalid"): only the code and ids are kept.
  Sniffer s;
  s.onClientBytes(test::span(test::amqp091Header()));
  s.onServerBytes(test::span(test::Handshake091().start));
  s.onClientBytes(test::span(test::Handshake091().start_ok));
  const std::string text =
      "ACCESS_REFUSED - response <<\"" + std::string(kFixturePassword) + "\">> invalid";
  EXPECT_EQ(s.onServerBytes(test::span(test::method091(test::ids::kConnection, test::ids::kClose,
                                                       test::closeArgs(403, text, 10, 11)))),
            Status::Done);
  EXPECT_EQ(s.info().close_code, 403);
  for (const std::string& out : everyOutput(s)) {
    EXPECT_FALSE(contains(out, kFixturePassword)) << out;
  }
}

TEST(CredentialTest, OneHundredSecureRoundsAreCountedNotStored) {
  Sniffer s;
  s.onClientBytes(test::span(test::amqp091Header()));
  s.onServerBytes(test::span(test::Handshake091().start));
  s.onClientBytes(test::span(test::Handshake091().start_ok));
  Bytes response;
  test::putLongString(response, "secret");
  for (int i = 0; i < 100; ++i) {
    s.onClientBytes(
        test::span(test::method091(test::ids::kConnection, test::ids::kSecureOk, response)));
  }
  EXPECT_EQ(s.status(), Status::InProgress);
  EXPECT_EQ(s.credentialRanges().ranges().size(), kMaxCredentialRanges);
  EXPECT_TRUE(s.credentialRanges().overflow());
}

}  // namespace
}  // namespace warren::amqp
