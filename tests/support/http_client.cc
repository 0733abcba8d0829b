#include "support/http_client.h"

#include "support/test_socket.h"

namespace warren::test {

HttpReply httpRequest(const Address& to, const std::string& method, const std::string& target,
                      const std::string& body, const std::string& authorization) {
  TestSocket s = TestSocket::connect(to);
  s.setTimeout(std::chrono::seconds(10));
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + to.toString() + "\r\nConnection: close\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  HttpReply reply;
  if (!s.sendAll(request)) return reply;
  const std::string raw = s.recvUntilEof();
  const size_t end = raw.find("\r\n\r\n");
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.headers = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  return reply;
}

}  // namespace warren::test
