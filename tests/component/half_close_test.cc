// Half-close is passed on: a FIN one way keeps the other way flowing.
#include <gtest/gtest.h>

#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using session::CloseReason;

// Client sends a request and shuts its write half; the node reads to EOF, then answers
// and closes. The answer must still reach the client.
TEST(HalfClose, ClientFinFirstThenNodeAnswers) {
  std::string node_got;
  TestBackend backend([&](TestSocket& s) {
    bool eof = false;
    node_got = s.recvUntilEof(&eof);
    if (eof) s.sendAll("answer after your FIN");
  });
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("request"));
  client.shutdownWrite();
  bool eof = false;
  EXPECT_EQ(client.recvUntilEof(&eof), "answer after your FIN");
  EXPECT_TRUE(eof);
  EXPECT_EQ(node_got, "request");
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), 1u);
}

// The node sends and shuts its write half first; the client still gets to send after
// seeing the EOF, and the node receives it.
TEST(HalfClose, NodeFinFirstThenClientAnswers) {
  std::string node_got;
  TestBackend backend([&](TestSocket& s) {
    s.sendAll("greeting");
    s.shutdownWrite();
    bool eof = false;
    node_got = s.recvUntilEof(&eof);
  });
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket client = TestSocket::connect(warren.address());
  bool eof = false;
  EXPECT_EQ(client.recvUntilEof(&eof), "greeting");
  EXPECT_TRUE(eof);
  ASSERT_TRUE(client.sendAll("reply after your FIN"));
  client.shutdownWrite();
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(node_got, "reply after your FIN");
  EXPECT_EQ(warren.closed(CloseReason::NodeClosed), 1u);
}

// A reset from the node closes the client side too, recorded as a node error.
TEST(HalfClose, NodeResetClosesClient) {
  TestBackend backend([](TestSocket& s) {
    s.recvSome();
    linger l{1, 0};  // close with RST
    setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    s.close();
  });
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("trigger"));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::NodeError), 1u);
}

// RabbitMQ answers a client's FIN with a reset: the connection was ending anyway, so the
// reason stays client_closed (found by the integration test: pika's clean close was
// logged as node_error).
TEST(HalfClose, NodeResetAfterClientFinIsStillClientClosed) {
  TestBackend backend([](TestSocket& s) {
    s.recvUntilEof();
    linger l{1, 0};
    setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    s.close();
  });
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("bye"));
  client.shutdownWrite();
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), 1u);
  EXPECT_EQ(warren.closed(CloseReason::NodeError), 0u);
}

}  // namespace
}  // namespace warren::test
