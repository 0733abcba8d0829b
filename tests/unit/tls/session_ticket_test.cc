// Session resumption with tickets whose keys rotate by epoch: the current and the previous
// epoch are accepted, older ones are not; a rebuilt context (reload) accepts its predecessor's
// tickets; another listener does not.
#include <gtest/gtest.h>

#include "tls/server_context.h"
#include "tls/ticket_keys.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

constexpr std::chrono::seconds kRotation{3600};

class TicketTest : public ::testing::TestWithParam<uint16_t> {
 protected:
  std::shared_ptr<const ServerContext> build(const std::string& name = "amqps") {
    auto l = tlsListener();
    l.name = name;
    l.tls.ticket_key_rotation = kRotation;
    ServerContextOptions options;
    options.clock = clock_.function();
    return buildOk(l, options);
  }

  // A full handshake; returns the session the client got.
  SSL_SESSION* firstConnection(const ServerContext& context, TestClient& client) {
    client.versions(GetParam(), GetParam());
    Handshake h(client.ctx.get(), context.newSsl(), "localhost");
    EXPECT_TRUE(h.run());
    EXPECT_FALSE(SSL_session_reused(h.client.get()));
    EXPECT_FALSE(client.sessions.empty());
    return client.sessions.empty() ? nullptr : client.sessions.back().get();
  }

  bool resumes(const ServerContext& context, TestClient& client, SSL_SESSION* session) {
    Handshake h(client.ctx.get(), context.newSsl(), "localhost", session);
    EXPECT_TRUE(h.run());
    EXPECT_EQ(SSL_session_reused(h.client.get()), SSL_session_reused(h.server.get()));
    return SSL_session_reused(h.server.get()) == 1;
  }

  TestClock clock_;
};

TEST_P(TicketTest, ResumesWithATicket) {
  auto context = build();
  ASSERT_TRUE(context);
  TestClient client;
  SSL_SESSION* session = firstConnection(*context, client);
  ASSERT_NE(session, nullptr);
  EXPECT_TRUE(resumes(*context, client, session));
}

TEST_P(TicketTest, PreviousEpochAcceptedOlderNot) {
  auto context = build();
  ASSERT_TRUE(context);
  TestClient client;
  SSL_SESSION* session = firstConnection(*context, client);
  ASSERT_NE(session, nullptr);
  clock_.advance(kRotation);  // next epoch: the ticket's key is the previous one
  EXPECT_TRUE(resumes(*context, client, session));
  clock_.advance(kRotation);  // two epochs later: unknown key, full handshake
  EXPECT_FALSE(resumes(*context, client, session));
}

TEST_P(TicketTest, RebuiltContextAcceptsEarlierTickets) {
  auto context = build();
  ASSERT_TRUE(context);
  TestClient client;
  SSL_SESSION* session = firstConnection(*context, client);
  ASSERT_NE(session, nullptr);
  auto reloaded = build();
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(resumes(*reloaded, client, session));
}

TEST_P(TicketTest, OtherListenerDoesNotAcceptTheTicket) {
  auto context = build("amqps");
  auto other = build("amqps-other");
  ASSERT_TRUE(context && other);
  TestClient client;
  SSL_SESSION* session = firstConnection(*context, client);
  ASSERT_NE(session, nullptr);
  EXPECT_FALSE(resumes(*other, client, session));
}

TEST_P(TicketTest, TicketsCanBeTurnedOff) {
  auto l = tlsListener();
  l.tls.session_tickets = false;
  auto context = buildOk(l);
  ASSERT_TRUE(context);
  TestClient client;
  client.versions(GetParam(), GetParam());
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  ASSERT_TRUE(h.run());
  if (client.sessions.empty()) return;  // nothing to resume with: fine
  EXPECT_FALSE(resumes(*context, client, client.sessions.back().get()));
}

INSTANTIATE_TEST_SUITE_P(Versions, TicketTest, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

TEST(TicketKeys, DerivationIsDeterministicPerEpochAndLabel) {
  const TicketKeys a = deriveTicketKeys(100, "amqps");
  EXPECT_EQ(a.name, deriveTicketKeys(100, "amqps").name);
  EXPECT_EQ(a.aes_key, deriveTicketKeys(100, "amqps").aes_key);
  EXPECT_NE(a.name, deriveTicketKeys(101, "amqps").name);
  EXPECT_NE(a.name, deriveTicketKeys(100, "other").name);
  EXPECT_NE(a.aes_key, a.hmac_key);
}

TEST(TicketKeys, Epochs) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(7200 + 59));
  EXPECT_EQ(ticketEpoch(t, std::chrono::seconds(3600)), 2u);
  EXPECT_EQ(ticketEpoch(t, std::chrono::seconds(0)), 7259u);  // clamped to 1 s
}

}  // namespace
}  // namespace warren::tls
