// A one-request HTTP/1.1 client for the admin endpoint tests ("Connection: close", read to
// EOF; bounded by TestSocket's timeouts).
#pragma once

#include <string>

#include "common/address.h"

namespace warren::test {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string headers;
  std::string body;
};

HttpReply httpRequest(const Address& to, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& authorization = "");
inline HttpReply httpGet(const Address& to, const std::string& target, const std::string& authorization = "") {
  return httpRequest(to, "GET", target, "", authorization);
}
inline HttpReply httpPost(const Address& to, const std::string& target, const std::string& body = "",
                          const std::string& authorization = "") {
  return httpRequest(to, "POST", target, body, authorization);
}

}  // namespace warren::test
