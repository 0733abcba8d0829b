// The admin endpoint over loopback with an in-process Warren: /metrics after real relayed
// connections, node drain and weight through the API as the balancer sees them, /readyz,
// the bearer token, no OpenSSL in the process, and scrapes answered during a connect flood.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "admin/startup.h"
#include "support/http_client.h"
#include "support/running_admin.h"
#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<config::Config> oneWorker(const std::vector<Address>& nodes,
                                          config::BalancePolicy balance = config::BalancePolicy::LeastConn) {
  auto c = makeConfig(nodes);
  c->global.workers = 1;
  c->clusters[0].balance = balance;
  return c;
}

void expectEcho(const Address& front, const std::string& text) {
  TestSocket client = TestSocket::connect(front);
  ASSERT_TRUE(client.sendAll(text));
  EXPECT_EQ(client.recvExact(text.size()), text);
}

// "127.0.0.1:5672" → "127.0.0.1%3A5672", as a client puts a node address in a URL.
std::string urlEncoded(const Address& a) {
  std::string out;
  for (char c : a.toString()) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

// The value of the sample line starting with `series` ("name{labels}"), or -1.
double sampleValue(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST(Admin, MetricsCountRelayedConnections) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(oneWorker({backend.address()}));
  RunningAdmin admin(warren);
  for (int i = 0; i < 3; ++i) expectEcho(warren.address(), "hello");  // 5 bytes each way
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0 && s.accepted == 3; }));
  HttpReply r = httpGet(admin.address(), "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  const std::string node = "node=\"" + backend.address().toString() + "\"";
  EXPECT_EQ(sampleValue(r.body, "warren_connections_accepted_total{listener=\"front\"}"), 3);
  EXPECT_EQ(sampleValue(r.body, "warren_connections_active{listener=\"front\"}"), 0);
  EXPECT_EQ(sampleValue(r.body, "warren_connections_closed_total{listener=\"front\",reason=\"client_closed\"}"), 3);
  EXPECT_EQ(sampleValue(r.body, "warren_relayed_bytes_total{listener=\"front\",direction=\"client_to_node\"}"), 15);
  EXPECT_EQ(sampleValue(r.body, "warren_relayed_bytes_total{listener=\"front\",direction=\"node_to_client\"}"), 15);
  EXPECT_EQ(sampleValue(r.body, "warren_route_connections_total{listener=\"front\",route=\"default\",cluster=\"backend\"}"), 3);
  EXPECT_EQ(sampleValue(r.body, "warren_node_connections_total{cluster=\"backend\"," + node + "}"), 3);
  EXPECT_EQ(sampleValue(r.body, "warren_node_active_connections{cluster=\"backend\"," + node + "}"), 0);
}

TEST(Admin, OpenConnectionsShowAsActiveAndConnectFailuresPerNode) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  const Address refused = refusedAddress();
  RunningServer warren(oneWorker({refused, backend.address()}, config::BalancePolicy::RoundRobin));
  RunningAdmin admin(warren);
  TestSocket held = TestSocket::connect(warren.address());
  ASSERT_TRUE(held.sendAll("x"));
  ASSERT_EQ(held.recvExact(1), "x");
  const std::string body = httpGet(admin.address(), "/metrics").body;
  EXPECT_EQ(sampleValue(body, "warren_connections_active{listener=\"front\"}"), 1);
  EXPECT_EQ(sampleValue(body, "warren_node_active_connections{cluster=\"backend\",node=\"" +
                                  backend.address().toString() + "\"}"), 1);
  EXPECT_EQ(sampleValue(body, "warren_node_connect_failures_total{cluster=\"backend\",node=\"" +
                                  refused.toString() + "\"}"), 1);
  EXPECT_EQ(sampleValue(body, "warren_node_passive_down{cluster=\"backend\",node=\"" + refused.toString() + "\"}"), 1);
}

TEST(Admin, DrainedNodeGetsNoNewConnectionButKeepsItsOpenOne) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  RunningServer warren(oneWorker({a.address(), b.address()}));
  RunningAdmin admin(warren);
  TestSocket held = TestSocket::connect(warren.address());
  ASSERT_TRUE(held.sendAll("1"));
  ASSERT_EQ(held.recvExact(1), "1");
  TestBackend& first = a.accepted() == 1 ? a : b;
  TestBackend& other = a.accepted() == 1 ? b : a;
  ASSERT_EQ(first.accepted(), 1);

  HttpReply r = httpPost(admin.address(), "/api/clusters/backend/nodes/" + urlEncoded(first.address()) + "/drain");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["node"]["drained"], true);
  for (int i = 0; i < 4; ++i) expectEcho(warren.address(), "new");
  EXPECT_EQ(first.accepted(), 1);
  EXPECT_EQ(other.accepted(), 4);
  ASSERT_TRUE(held.sendAll("still here"));  // the open connection on the drained node stays
  EXPECT_EQ(held.recvExact(10), "still here");

  const auto clusters = nlohmann::json::parse(httpGet(admin.address(), "/api/clusters").body)["clusters"];
  size_t drained = 0;
  for (const auto& n : clusters[0]["nodes"]) {
    if (n["drained"] == true) {
      ++drained;
      EXPECT_EQ(n["address"], first.address().toString());
      EXPECT_EQ(n["active_connections"], 1);
    }
  }
  EXPECT_EQ(drained, 1u);
  EXPECT_EQ(httpPost(admin.address(), "/api/clusters/backend/nodes/nope/drain").status, 404);
  EXPECT_EQ(httpPost(admin.address(), "/api/clusters/nope/nodes/0/drain").status, 404);
}

TEST(Admin, WeightChangesTheSpread) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  RunningServer warren(oneWorker({a.address(), b.address()}, config::BalancePolicy::RoundRobin));
  RunningAdmin admin(warren);
  for (int i = 0; i < 8; ++i) expectEcho(warren.address(), "even");
  EXPECT_EQ(a.accepted(), 4);
  EXPECT_EQ(b.accepted(), 4);
  HttpReply r = httpPost(admin.address(), "/api/clusters/backend/nodes/1/weight", R"({"weight": 3})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(httpPost(admin.address(), "/api/clusters/backend/nodes/1/weight", R"({"weight": 0})").status, 400);
  for (int i = 0; i < 40; ++i) expectEcho(warren.address(), "weighted");
  // Smooth weighted round robin: 1:3 over 40 picks, give or take the cycle in progress.
  EXPECT_NEAR(a.accepted() - 4, 10, 1);
  EXPECT_NEAR(b.accepted() - 4, 30, 1);
}

TEST(Admin, ReadyzFollowsNodeEligibility) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(oneWorker({backend.address()}));
  RunningAdmin admin(warren);
  EXPECT_EQ(httpGet(admin.address(), "/healthz").status, 200);
  EXPECT_EQ(httpGet(admin.address(), "/readyz").status, 200);
  ASSERT_EQ(httpPost(admin.address(), "/api/clusters/backend/nodes/0/drain").status, 200);
  HttpReply r = httpGet(admin.address(), "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "cluster backend has no eligible node (all drained or down)");
  ASSERT_EQ(httpPost(admin.address(), "/api/clusters/backend/nodes/0/undrain").status, 200);
  EXPECT_EQ(httpGet(admin.address(), "/readyz").status, 200);
  warren.stop();
  EXPECT_EQ(httpGet(admin.address(), "/readyz").status, 503);
  EXPECT_EQ(httpGet(admin.address(), "/healthz").status, 200);
}

TEST(Admin, ReadyzIsUnavailableWhenEveryNodeIsDown) {
  RunningServer warren(oneWorker({refusedAddress(), refusedAddress()}));
  RunningAdmin admin(warren);
  EXPECT_EQ(httpGet(admin.address(), "/readyz").status, 200);  // unchecked nodes count as up
  TestSocket client = TestSocket::connect(warren.address());
  EXPECT_TRUE(client.waitClosed());  // both refused: both in their passive backoff now
  EXPECT_EQ(httpGet(admin.address(), "/readyz").status, 503);
}

class TokenFile {
 public:
  explicit TokenFile(const std::string& token) {
    path_ = ::testing::TempDir() + "warren_admin_token_" + std::to_string(::getpid());
    std::ofstream(path_) << token << "\n";
  }
  ~TokenFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Admin, TokenFromFileProtectsTheApi) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(oneWorker({backend.address()}));
  TokenFile token("tok-123");
  config::Admin cfg;
  cfg.address = *Address::parse("127.0.0.1:0");
  cfg.token_file = token.path();
  std::string error;
  auto admin = admin::startAdmin(cfg, serverHooks(warren.server()), error);
  ASSERT_NE(admin, nullptr) << error;
  const Address at = admin->address();
  HttpReply r = httpPost(at, "/api/clusters/backend/nodes/0/drain");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.headers, HasSubstr("WWW-Authenticate: Bearer"));
  EXPECT_EQ(httpPost(at, "/api/clusters/backend/nodes/0/drain", "", "Bearer wrong").status, 401);
  EXPECT_FALSE(warren.server().clusters()[0]->nodes()[0]->drained());
  EXPECT_EQ(httpPost(at, "/api/clusters/backend/nodes/0/drain", "", "Bearer tok-123").status, 200);
  EXPECT_TRUE(warren.server().clusters()[0]->nodes()[0]->drained());
  EXPECT_EQ(httpGet(at, "/metrics").status, 200);  // protect_metrics is off
}

TEST(Admin, DisabledOrUnbindableAdminReportsWithoutThrowing) {
  RunningServer warren(oneWorker({refusedAddress()}));
  config::Admin cfg;
  cfg.enabled = false;
  std::string error;
  EXPECT_EQ(admin::startAdmin(cfg, serverHooks(warren.server()), error), nullptr);
  EXPECT_EQ(error, "");
  cfg.enabled = true;
  cfg.address = warren.address();  // taken by the data listener
  EXPECT_EQ(admin::startAdmin(cfg, serverHooks(warren.server()), error), nullptr);
  EXPECT_THAT(error, HasSubstr("admin " + warren.address().toString()));
}

// The admin endpoint speaks plain HTTP and loads no TLS library: BoringSSL stays alone.
TEST(Admin, NoOpenSslInTheProcessAfterTheAdminServerStarted) {
  RunningServer warren(oneWorker({refusedAddress()}));
  RunningAdmin admin(warren);
  ASSERT_EQ(httpGet(admin.address(), "/metrics").status, 200);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int boringssl = 0;
  while (std::getline(maps, line)) {
    const bool tls_lib = line.find("libssl") != std::string::npos || line.find("libcrypto") != std::string::npos;
    if (!tls_lib) continue;
    EXPECT_THAT(line, HasSubstr("/android/")) << "a TLS library other than BoringSSL is mapped";
    ++boringssl;
  }
  EXPECT_GT(boringssl, 0);  // the check looks at the right thing
}

// The admin threads are not the workers: a scrape answers while the data listener is
// flooded with connects, and it sees the accepted counter move.
TEST(Admin, MetricsAnswerDuringAConnectFlood) {
  RunningServer warren(oneWorker({refusedAddress()}));
  RunningAdmin admin(warren);
  constexpr int kConnects = 2000;
  std::atomic<bool> flooding{true};
  std::atomic<int> connected{0};
  std::thread flood([&] {
    for (int i = 0; i < kConnects; ++i) {
      TestSocket s = TestSocket::connect(warren.address());
      if (s.valid()) ++connected;
    }
    flooding = false;
  });
  const std::string series = "warren_connections_accepted_total{listener=\"front\"}";
  double first = -1;  // the first scrape, taken while the flood runs
  int during = 0;
  for (int i = 0; i < 2000 && (flooding || during == 0); ++i) {
    const bool was_flooding = flooding;
    HttpReply r = httpGet(admin.address(), "/metrics");
    ASSERT_EQ(r.status, 200);
    if (first < 0) first = sampleValue(r.body, series);
    if (was_flooding && flooding) ++during;
  }
  flood.join();
  EXPECT_GT(during, 0) << "no scrape finished while the flood ran";
  EXPECT_EQ(connected.load(), kConnects);
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.accepted == kConnects && s.active == 0; },
                             std::chrono::seconds(30)));
  EXPECT_GE(first, 0);
  EXPECT_LT(first, kConnects);
  EXPECT_EQ(sampleValue(httpGet(admin.address(), "/metrics").body, series), kConnects);
}

}  // namespace
}  // namespace warren::test
