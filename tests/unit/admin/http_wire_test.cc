// The admin endpoint's request heads and responses on the wire, without sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "admin/http_wire.h"

namespace warren::admin {
namespace {

using State = ParsedHead::State;
using ::testing::HasSubstr;

TEST(HttpWire, IncompleteUntilTheBlankLine) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < head.size(); ++n) {
    EXPECT_EQ(parseRequestHead(head.substr(0, n)).state, State::kIncomplete) << n;
  }
  const ParsedHead p = parseRequestHead(head);
  ASSERT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.path, "/healthz");
  EXPECT_EQ(p.head_size, head.size());
  EXPECT_EQ(p.content_length, 0u);
}

TEST(HttpWire, PathDecodedQueryKeptHeadersFound) {
  const ParsedHead p = parseRequestHead(
      "POST /api/clusters/main/nodes/127.0.0.1%3A5672/weight?weight=5 HTTP/1.0\n"
      "authorization:  Bearer s3cret \nORIGIN: http://x.example\nContent-Length: 12\nExpect: 100-Continue\n\n"
      "{\"weight\":5}");
  ASSERT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.request.path, "/api/clusters/main/nodes/127.0.0.1:5672/weight");
  EXPECT_EQ(p.request.query, "weight=5");
  EXPECT_EQ(p.request.authorization, "Bearer s3cret");
  EXPECT_EQ(p.request.origin, "http://x.example");
  EXPECT_EQ(p.content_length, 12u);
  EXPECT_TRUE(p.expect_continue);
  EXPECT_TRUE(p.request.body.empty());  // the body is the caller's to read, after its checks
}

TEST(HttpWire, RefusedWithTheRightStatus) {
  struct Case {
    std::string text;
    int status;
  };
  const Case cases[] = {
      {"GET /x\r\n\r\n", 400},
      {"GET  /x HTTP/1.1\r\n\r\n", 400},
      {"G(T /x HTTP/1.1\r\n\r\n", 400},
      {"GET x HTTP/1.1\r\n\r\n", 400},
      {"GET http://h/x HTTP/1.1\r\n\r\n", 400},
      {"GET /%zz HTTP/1.1\r\n\r\n", 400},
      {"GET /x HTTP/2.0\r\n\r\n", 505},
      {"GET /x HTTP/1.1\r\nno colon\r\n\r\n", 400},
      {"GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"POST /x HTTP/1.1\r\nExpect: something\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    const ParsedHead p = parseRequestHead(c.text);
    EXPECT_EQ(p.state, State::kRefused) << c.text;
    EXPECT_EQ(p.status, c.status) << c.text;
    EXPECT_FALSE(p.error.empty()) << c.text;
  }
  // A large body is the server's to refuse, after the token: the head itself is fine.
  const ParsedHead large = parseRequestHead("POST /x HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n");
  EXPECT_EQ(large.state, State::kComplete);
  EXPECT_EQ(large.content_length, 1048576u);
}

TEST(HttpWire, HeadLargerThanTheLimitIsRefusedBeforeItEnds) {
  std::string head = "GET /x HTTP/1.1\r\nX-Pad: " + std::string(kMaxRequestHead, 'a');
  EXPECT_EQ(parseRequestHead(head.substr(0, kMaxRequestHead)).state, State::kIncomplete);
  const ParsedHead p = parseRequestHead(head);
  EXPECT_EQ(p.state, State::kRefused);
  EXPECT_EQ(p.status, 431);
  EXPECT_EQ(parseRequestHead(head + "\r\n\r\n").status, 431);
}

TEST(HttpWire, ResponseHasLengthNoStoreCloseAndItsHeaders) {
  Response r = textResponse(401, "no\n");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"warren\"");
  const std::string bytes = serializeResponse(r, false);
  EXPECT_EQ(bytes.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u);
  EXPECT_THAT(bytes, HasSubstr("\r\nContent-Length: 3\r\n"));
  EXPECT_THAT(bytes, HasSubstr("\r\nCache-Control: no-store\r\nConnection: close\r\n"));
  EXPECT_THAT(bytes, HasSubstr("\r\nWWW-Authenticate: Bearer realm=\"warren\"\r\n\r\nno\n"));
  const std::string head_only = serializeResponse(r, true);
  EXPECT_THAT(head_only, HasSubstr("Content-Length: 3\r\n"));
  EXPECT_EQ(head_only.substr(head_only.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace warren::admin
