#include "support/running_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/logging.h"

namespace warren::test {

std::shared_ptr<config::Config> makeConfig(const std::vector<Address>& nodes, config::ProxyProtocol proxy,
                                           const char* listen) {
  auto c = std::make_shared<config::Config>();
  c->source = "test";
  c->global.workers = 2;
  c->global.shutdown_timeout = std::chrono::seconds(5);
  config::Listener l;
  l.name = "front";
  l.address = *Address::parse(listen);
  l.cluster = "backend";
  // The data-path tests relay arbitrary bytes; AMQP tests switch to ListenerProtocol::Amqp.
  l.protocol = config::ListenerProtocol::Tcp;
  c->listeners.push_back(l);
  config::Cluster cl;
  cl.name = "backend";
  cl.proxy_protocol = proxy;
  cl.connect_timeout = std::chrono::seconds(2);
  for (const auto& a : nodes) cl.nodes.push_back(config::Node{a, 1});
  c->clusters.push_back(cl);
  return c;
}

void initTestLogging() {
  static bool logging_ready = [] {
    logging::setup(logging::Level::Warn);
    return true;
  }();
  (void)logging_ready;
}

RunningServer::RunningServer(std::shared_ptr<const config::Config> config, discovery::ResolverSharedPtr resolver) {
  initTestLogging();
  server_ = std::make_unique<server::Server>(std::move(config), std::move(resolver));
  auto err = server_->bind();
  EXPECT_FALSE(err.has_value()) << *err;
  server_->start();
}

RunningServer::~RunningServer() { stop(); }

void RunningServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  server_->shutdown();
  server_->wait();
}

bool RunningServer::waitFor(const std::function<bool(const session::Totals&)>& pred,
                            std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred(totals())) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace warren::test
