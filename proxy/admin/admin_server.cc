#include "admin/admin_server.h"

#include <civetweb.h>

#include <array>
#include <string>

#include "admin/startup.h"

namespace warren::admin {
namespace {

// civetweb's "listening_ports" syntax: "127.0.0.1:9090", "[::1]:9090".
std::string listeningPort(const Address& address) { return address.toString(); }

// The request line and headers; the body is read later, once the request may go on.
Request readHead(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  Request r;
  r.method = info->request_method != nullptr ? info->request_method : "";
  r.path = info->local_uri != nullptr ? info->local_uri : "";
  r.query = info->query_string != nullptr ? info->query_string : "";
  if (const char* auth = mg_get_header(conn, "Authorization")) r.authorization = auth;
  if (const char* origin = mg_get_header(conn, "Origin")) r.origin = origin;
  const auto peer = Address::fromIp(info->remote_addr, static_cast<uint16_t>(info->remote_port));
  r.peer_loopback = peer && isLoopback(*peer);
  return r;
}

void readBody(mg_connection* conn, Request& r) {
  std::array<char, 4096> buf;
  while (r.body.size() < AdminServer::kMaxBody) {
    const int n = mg_read(conn, buf.data(), buf.size());
    if (n <= 0) break;
    r.body.append(buf.data(), static_cast<size_t>(n));
  }
}

void writeResponse(mg_connection* conn, const Response& response, bool head) {
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = std::to_string(response.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  for (const auto& [name, value] : response.headers) mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  mg_response_header_send(conn);
  if (!head) mg_write(conn, response.body.data(), response.body.size());
}

}  // namespace

AdminServer::AdminServer(std::shared_ptr<AdminApi> api) : api_(std::move(api)) {}

AdminServer::~AdminServer() { stop(); }

std::optional<std::string> AdminServer::start(const Address& address) {
  // No feature bits: in particular not MG_FEATURES_TLS, which would load OpenSSL.
  mg_init_library(0);
  const std::string ports = listeningPort(address);
  const std::string threads = std::to_string(kThreads);
  const std::string timeout = std::to_string(kRequestTimeoutMs);
  const std::string backlog = std::to_string(kListenBacklog);
  const char* options[] = {"listening_ports", ports.c_str(), "num_threads", threads.c_str(),
                           // One request per connection, its head and body within the timeout:
                           // a connection that sends nothing, or a byte at a time, holds its
                           // thread for kRequestTimeoutMs at most.
                           "request_timeout_ms", timeout.c_str(), "enable_keep_alive", "no",
                           "listen_backlog", backlog.c_str(), "connection_queue", backlog.c_str(),
                           "max_request_size", "8192", nullptr};
  mg_callbacks callbacks{};
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = options;
  std::array<char, 256> text{};
  unsigned code = 0;
  mg_error_data error{};
  error.code = &code;
  error.text = text.data();
  error.text_buffer_size = text.size();
  context_ = mg_start2(&init, &error);
  if (context_ == nullptr) return "admin " + ports + ": " + (text[0] != '\0' ? text.data() : "cannot start");
  mg_set_request_handler(context_, "/", onRequest, this);
  bound_ = address;
  mg_server_port port{};
  if (mg_get_server_ports(context_, 1, &port) == 1) bound_.setPort(static_cast<uint16_t>(port.port));
  return std::nullopt;
}

void AdminServer::stop() {
  if (context_ == nullptr) return;
  mg_stop(context_);
  context_ = nullptr;
}

int AdminServer::onRequest(mg_connection* conn, void* self) {
  Request request = readHead(conn);
  const AdminApi& api = *static_cast<AdminServer*>(self)->api_;
  // The token (and the loopback/Origin rule) is checked before a byte of the body is read:
  // an unauthenticated peer cannot make the endpoint read 64 KiB from it.
  if (auto refused = api.refusal(request)) {
    writeResponse(conn, *refused, request.method == "HEAD");
    return refused->status;
  }
  readBody(conn, request);
  const Response response = api.handle(request);
  writeResponse(conn, response, request.method == "HEAD");
  return response.status;
}

}  // namespace warren::admin
