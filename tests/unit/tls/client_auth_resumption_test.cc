// Resumption across a reload that changes the client-verification policy (issue 12, item 4):
// a session from before a reload to a stricter client_auth, or to a client_ca without its
// issuer, never resumes; the client gets a full handshake with the new verification. A
// reload that keeps the policy (the same CAs, even reordered in the file) still resumes.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tls/certificate_loader.h"
#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls/session_binding.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

std::string fileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ClientAuthResumption : public ::testing::TestWithParam<uint16_t> {
 protected:
  ClientAuthResumption() {
    char dir[] = "/tmp/warren-resume-XXXXXX";
    dir_ = ::mkdtemp(dir);
    // Both CAs, in two orders and with a comment: the same set.
    std::ofstream(dir_ + "/both.pem") << fileText(fixture("ca.crt")) << fileText(fixture("other-ca.crt"));
    std::ofstream(dir_ + "/both-reordered.pem")
        << "# the same CAs\n" << fileText(fixture("other-ca.crt")) << fileText(fixture("ca.crt"));
  }
  ~ClientAuthResumption() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const ServerContext> build(config::ClientAuth auth, const std::string& client_ca) {
    auto l = tlsListener();
    l.tls.client_auth = auth;
    l.tls.client_ca = client_ca;
    return buildOk(l);
  }

  // A full handshake (with the client's certificate, if it has one); the session it got.
  SSL_SESSION* firstConnection(const ServerContext& context, TestClient& client) {
    client.versions(GetParam(), GetParam());
    Handshake h(client.ctx.get(), context.newSsl(), "localhost");
    EXPECT_TRUE(h.run());
    EXPECT_FALSE(SSL_session_reused(h.server.get()));
    EXPECT_FALSE(client.sessions.empty());
    return client.sessions.empty() ? nullptr : client.sessions.back().get();
  }

  struct Outcome {
    bool completed = false;
    bool resumed = false;
    uint32_t server_error = 0;
  };
  Outcome offer(const ServerContext& context, TestClient& client, SSL_SESSION* session) {
    Handshake h(client.ctx.get(), context.newSsl(), "localhost", session);
    Outcome o;
    o.completed = h.run();
    o.resumed = SSL_session_reused(h.server.get()) == 1;
    o.server_error = h.s.err_code;
    return o;
  }

  std::string dir_;
};

TEST_P(ClientAuthResumption, OptionalToRequiredRejectsTheTicketOfAClientWithoutCertificate) {
  auto optional = build(config::ClientAuth::Optional, fixture("ca.crt"));
  ASSERT_TRUE(optional);
  TestClient client;  // no certificate
  SSL_SESSION* session = firstConnection(*optional, client);
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(offer(*optional, client, session).resumed);  // resumption works before the reload

  auto required = build(config::ClientAuth::Required, fixture("ca.crt"));
  ASSERT_TRUE(required);
  const Outcome o = offer(*required, client, session);
  EXPECT_FALSE(o.resumed);
  EXPECT_FALSE(o.completed);  // the full handshake asks for a certificate, and there is none
  EXPECT_EQ(ERR_GET_REASON(o.server_error), SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
}

TEST_P(ClientAuthResumption, RemovedCaRejectsTheSessionOfItsCertificate) {
  auto both = build(config::ClientAuth::Required, dir_ + "/both.pem");
  ASSERT_TRUE(both);
  TestClient client;
  client.certificate("other-client");  // issued by other-ca
  SSL_SESSION* session = firstConnection(*both, client);
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(offer(*both, client, session).resumed);

  auto without_other = build(config::ClientAuth::Required, fixture("ca.crt"));
  ASSERT_TRUE(without_other);
  const Outcome o = offer(*without_other, client, session);
  EXPECT_FALSE(o.resumed);
  EXPECT_FALSE(o.completed);  // verified again, against a client_ca that no longer has its issuer
  EXPECT_EQ(ERR_GET_REASON(o.server_error), SSL_R_CERTIFICATE_VERIFY_FAILED);
}

TEST_P(ClientAuthResumption, UnchangedPolicyStillResumesAfterARebuild) {
  auto before = build(config::ClientAuth::Required, dir_ + "/both.pem");
  ASSERT_TRUE(before);
  TestClient client;
  client.certificate("client");
  SSL_SESSION* session = firstConnection(*before, client);
  ASSERT_NE(session, nullptr);
  auto same = build(config::ClientAuth::Required, dir_ + "/both.pem");
  auto reordered = build(config::ClientAuth::Required, dir_ + "/both-reordered.pem");
  ASSERT_TRUE(same && reordered);
  EXPECT_TRUE(offer(*same, client, session).resumed);
  EXPECT_TRUE(offer(*reordered, client, session).resumed);
}

// Loosening changes the policy too: a session never crosses policies, whichever way.
TEST_P(ClientAuthResumption, RequiredToOptionalStartsAFullHandshake) {
  auto required = build(config::ClientAuth::Required, fixture("ca.crt"));
  ASSERT_TRUE(required);
  TestClient client;
  client.certificate("client");
  SSL_SESSION* session = firstConnection(*required, client);
  ASSERT_NE(session, nullptr);
  auto optional = build(config::ClientAuth::Optional, fixture("ca.crt"));
  ASSERT_TRUE(optional);
  const Outcome o = offer(*optional, client, session);
  EXPECT_TRUE(o.completed);
  EXPECT_FALSE(o.resumed);
}

INSTANTIATE_TEST_SUITE_P(Versions, ClientAuthResumption, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

TEST(SessionBinding, PolicyNamesModeAndCaSet) {
  std::array<uint8_t, 32> fingerprint{};
  fingerprint[0] = 0xab;
  EXPECT_EQ(clientAuthPolicy(config::ClientAuth::None, fingerprint), "none");
  EXPECT_EQ(clientAuthPolicy(config::ClientAuth::Optional, fingerprint), "optional ca=ab" + std::string(62, '0'));
  EXPECT_EQ(clientAuthPolicy(config::ClientAuth::Required, {}), "required ca=" + std::string(64, '0'));
}

TEST(SessionBinding, ContextAndLabelDifferByListenerAndPolicy) {
  const SessionBinding a = bindSessions("amqps", "none");
  EXPECT_EQ(a.id_context, bindSessions("amqps", "none").id_context);
  EXPECT_EQ(a.ticket_label, bindSessions("amqps", "none").ticket_label);
  for (const SessionBinding& other : {bindSessions("amqps", "required ca=00"), bindSessions("amqps2", "none"),
                                      bindSessions("amqps", "none2")}) {
    EXPECT_NE(a.id_context, other.id_context);
    EXPECT_NE(a.ticket_label, other.ticket_label);
  }
}

TEST(CaFingerprint, SameSetSameFingerprintWhateverTheOrder) {
  BuildReport report("warren.toml");
  auto ca = loadCaBundle(fixture("ca.crt"), {}, report);
  auto other = loadCaBundle(fixture("other-ca.crt"), {}, report);
  char dir[] = "/tmp/warren-fp-XXXXXX";
  const std::string d = ::mkdtemp(dir);
  std::ofstream(d + "/ab.pem") << fileText(fixture("ca.crt")) << fileText(fixture("other-ca.crt"));
  std::ofstream(d + "/ba.pem") << fileText(fixture("other-ca.crt")) << fileText(fixture("ca.crt"))
                               << fileText(fixture("ca.crt"));  // a duplicate changes nothing
  auto ab = loadCaBundle(d + "/ab.pem", {}, report);
  auto ba = loadCaBundle(d + "/ba.pem", {}, report);
  std::filesystem::remove_all(d);
  ASSERT_TRUE(ca && other && ab && ba);
  EXPECT_EQ(ab->fingerprint, ba->fingerprint);
  EXPECT_NE(ca->fingerprint, other->fingerprint);
  EXPECT_NE(ca->fingerprint, ab->fingerprint);
}

}  // namespace
}  // namespace warren::tls
