// The admin API without sockets: routing, methods, JSON answers, node actions, readiness
// and the bearer token, the loopback/Origin rule without one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admin/readiness.h"
#include "admin/router.h"
#include "unit/admin/admin_test_util.h"

namespace warren::admin {
namespace {

using nlohmann::json;
using testing::fixedHooks;
using testing::makeCluster;

// From a loopback peer without an Origin header, as curl on the host sends them.
Request get(std::string path) { return Request{"GET", std::move(path), "", "", "", "", true}; }
Request post(std::string path, std::string body = "", std::string query = "") {
  return Request{"POST", std::move(path), std::move(query), std::move(body), "", "", true};
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : clusters_{makeCluster("main", {5672, 5673})}, api_(fixedHooks(clusters_), ApiOptions{}) {}
  upstream::Node& node(size_t i) { return *clusters_[0]->nodes()[i]; }

  std::vector<upstream::ClusterSharedPtr> clusters_;
  AdminApi api_;
};

TEST_F(RouterTest, HealthzMetricsAndUnknownPaths) {
  Response r = api_.handle(get("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  r = api_.handle(get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r.body, ::testing::HasSubstr("warren_node_weight{cluster=\"main\",node=\"127.0.0.1:5672\"} 1"));
  EXPECT_EQ(api_.handle(get("/nope")).status, 404);
  EXPECT_EQ(api_.handle(get("/api/nope")).status, 404);
  r = api_.handle(post("/metrics"));
  EXPECT_EQ(r.status, 405);
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>{"Allow", "GET"}));
  EXPECT_EQ(api_.handle(get("/api/reload")).status, 405);
  EXPECT_EQ(api_.handle(get("/api/clusters/main/nodes/0/drain")).status, 405);
}

// A URL-decoded path may hold any byte: the JSON error answer replaces what is not UTF-8
// (found by the admin_api fuzz target: dump() threw out of the HTTP thread).
TEST_F(RouterTest, BytesThatAreNotUtf8AreAnsweredNotThrown) {
  Response r = api_.handle(get(std::string("/\xff\xfe") + '\0' + "x"));
  EXPECT_EQ(r.status, 404);
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(body.is_discarded());
  EXPECT_EQ(body["error"], std::string("no such endpoint: /\xef\xbf\xbd\xef\xbf\xbd") + '\0' + "x");
  r = api_.handle(post("/api/clusters/\xc3(/nodes/0/drain"));
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(json::parse(r.body, nullptr, /*allow_exceptions=*/false).is_discarded());
}

TEST_F(RouterTest, ClustersJson) {
  node(1).setDrained(true);
  Response r = api_.handle(get("/api/clusters"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const json body = json::parse(r.body);
  ASSERT_EQ(body["clusters"].size(), 1u);
  const json& c = body["clusters"][0];
  EXPECT_EQ(c["name"], "main");
  EXPECT_EQ(c["balance"], "least_conn");
  ASSERT_EQ(c["nodes"].size(), 2u);
  EXPECT_EQ(c["nodes"][0]["address"], "127.0.0.1:5672");
  EXPECT_EQ(c["nodes"][0]["index"], 0);
  EXPECT_EQ(c["nodes"][0]["health"], "unchecked");
  EXPECT_EQ(c["nodes"][0]["weight"], 1);
  EXPECT_EQ(c["nodes"][0]["drained"], false);
  EXPECT_EQ(c["nodes"][0]["active_connections"], 0);
  EXPECT_EQ(c["nodes"][0]["passive_down"], false);
  EXPECT_EQ(c["nodes"][0]["eligible"], true);
  EXPECT_EQ(c["nodes"][1]["drained"], true);
  EXPECT_EQ(c["nodes"][1]["eligible"], false);
}

TEST_F(RouterTest, DrainAndUndrainByAddressOrIndex) {
  Response r = api_.handle(post("/api/clusters/main/nodes/127.0.0.1:5673/drain"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(node(1).drained());
  EXPECT_EQ(json::parse(r.body)["node"]["drained"], true);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/1/undrain")).status, 200);
  EXPECT_FALSE(node(1).drained());
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/drain")).status, 200);
  EXPECT_TRUE(node(0).drained());
}

TEST_F(RouterTest, UnknownClusterNodeOrAction) {
  Response r = api_.handle(post("/api/clusters/nope/nodes/0/drain"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"], "no cluster named \"nope\"");
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/2/drain")).status, 404);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/127.0.0.1:9/drain")).status, 404);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/explode")).status, 404);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/0/drain")).status, 404);
  EXPECT_EQ(api_.handle(post("/api/clusters/main")).status, 404);
}

TEST_F(RouterTest, WeightFromBodyOrQuery) {
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/weight", R"({"weight": 250})")).status, 200);
  EXPECT_EQ(node(0).weight(), 250u);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/weight", "", "weight=1000")).status, 200);
  EXPECT_EQ(node(0).weight(), 1000u);
  EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/weight", R"({"weight": 1})")).status, 200);
  EXPECT_EQ(node(0).weight(), 1u);
}

TEST_F(RouterTest, BadWeightIs400AndChangesNothing) {
  node(0).setWeight(7);
  for (const char* body : {"", "{", "[]", R"({"w": 5})", R"({"weight": "5"})", R"({"weight": 0})",
                           R"({"weight": 1001})", R"({"weight": -3})", R"({"weight": 2.5})"}) {
    Response r = api_.handle(post("/api/clusters/main/nodes/0/weight", body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(json::parse(r.body).contains("error")) << body;
  }
  for (const char* query : {"weight=", "weight=abc", "weight=0", "weight=5x", "weight=99999999999999999999"}) {
    EXPECT_EQ(api_.handle(post("/api/clusters/main/nodes/0/weight", "", query)).status, 400) << query;
  }
  EXPECT_EQ(node(0).weight(), 7u);
}

TEST_F(RouterTest, ReloadWithoutAHookIs501) {
  Response r = api_.handle(post("/api/reload"));
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(json::parse(r.body)["error"], "reload not available");
}

TEST(RouterReloadTest, ReloadOutcomes) {
  Hooks hooks = fixedHooks({});
  ReloadResult next{true, true, "2 listeners, 1 cluster"};
  hooks.reload = [&next] { return next; };
  AdminApi api(hooks, ApiOptions{});
  Response r = api.handle(post("/api/reload"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), (json{{"result", "ok"}, {"message", "2 listeners, 1 cluster"}}));
  next = ReloadResult{true, false, "t.toml:3:1: listener[0].name: missing required key"};
  r = api.handle(post("/api/reload"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["error"], "t.toml:3:1: listener[0].name: missing required key");
  next = ReloadResult{false, false, "reload not available"};
  EXPECT_EQ(api.handle(post("/api/reload")).status, 501);
}

TEST(ReadinessTest, NeedsServingAndAnEligibleNodePerCluster) {
  auto a = makeCluster("a", {1, 2});
  auto b = makeCluster("b", {3});
  EXPECT_TRUE(evaluateReadiness(true, {a, b}, 1000).ready);
  EXPECT_FALSE(evaluateReadiness(false, {a, b}, 1000).ready);
  a->nodes()[0]->setDrained(true);
  EXPECT_TRUE(evaluateReadiness(true, {a, b}, 1000).ready);
  a->nodes()[1]->setHealth(upstream::Health::Down, 1000);
  Readiness r = evaluateReadiness(true, {a, b}, 1000);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.reason, "cluster a has no eligible node (all drained or down)");
  a->nodes()[1]->setHealth(upstream::Health::Up, 1000);
  b->nodes()[0]->reportFailure(1000, 5000);  // passive backoff until 6000
  EXPECT_FALSE(evaluateReadiness(true, {a, b}, 1000).ready);
  EXPECT_TRUE(evaluateReadiness(true, {a, b}, 6000).ready);
}

TEST(ReadinessTest, ReadyzAnswers) {
  auto a = makeCluster("a", {1});
  EXPECT_EQ(AdminApi(fixedHooks({a}), ApiOptions{}).handle(get("/readyz")).status, 200);
  Response r = AdminApi(fixedHooks({a}, /*serving=*/false), ApiOptions{}).handle(get("/readyz"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"], "listeners are not serving (starting or shutting down)");
  a->nodes()[0]->setDrained(true);
  EXPECT_EQ(AdminApi(fixedHooks({a}), ApiOptions{}).handle(get("/readyz")).status, 503);
}

TEST(TokenTest, ApiNeedsTheTokenMetricsAndProbesStayOpen) {
  auto a = makeCluster("a", {1});
  AdminApi api(fixedHooks({a}), ApiOptions{"s3cret", false});
  Response r = api.handle(get("/api/clusters"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.headers, ::testing::Contains(::testing::Pair("WWW-Authenticate", "Bearer realm=\"warren\"")));
  Request ok = get("/api/clusters");
  ok.authorization = "Bearer s3cret";
  EXPECT_EQ(api.handle(ok).status, 200);
  Request wrong = post("/api/clusters/a/nodes/0/drain");
  wrong.authorization = "Bearer s3creT";
  EXPECT_EQ(api.handle(wrong).status, 401);
  EXPECT_FALSE(a->nodes()[0]->drained());
  EXPECT_EQ(api.handle(post("/api/reload")).status, 401);
  EXPECT_EQ(api.handle(get("/api/nope")).status, 401);  // no probing for endpoints either
  EXPECT_EQ(api.handle(get("/metrics")).status, 200);
  EXPECT_EQ(api.handle(get("/healthz")).status, 200);
  EXPECT_EQ(api.handle(get("/readyz")).status, 200);
}

TEST(TokenTest, ProtectMetricsCoversEverything) {
  AdminApi api(fixedHooks({}), ApiOptions{"s3cret", true});
  for (const char* path : {"/metrics", "/healthz", "/readyz", "/api/clusters"}) {
    EXPECT_EQ(api.handle(get(path)).status, 401) << path;
    Request r = get(path);
    r.authorization = "Bearer s3cret";
    EXPECT_EQ(api.handle(r).status, 200) << path;
  }
}

// Issue 12: without a token, changes only from loopback and never with a browser Origin;
// reads stay open to every peer.
TEST(TokenTest, WithoutATokenChangesOnlyFromLoopbackWithoutOrigin) {
  auto a = makeCluster("a", {1});
  AdminApi api(fixedHooks({a}), ApiOptions{});
  Request remote = post("/api/clusters/a/nodes/0/drain");
  remote.peer_loopback = false;
  EXPECT_EQ(api.handle(remote).status, 403);
  Request browser = post("/api/clusters/a/nodes/0/drain");
  browser.origin = "http://evil.example";
  EXPECT_EQ(api.handle(browser).status, 403);
  Request remote_reload = post("/api/reload");
  remote_reload.peer_loopback = false;
  EXPECT_EQ(api.handle(remote_reload).status, 403);
  EXPECT_FALSE(a->nodes()[0]->drained());
  Request remote_get = get("/api/clusters");
  remote_get.peer_loopback = false;
  remote_get.origin = "http://page.example";
  EXPECT_EQ(api.handle(remote_get).status, 200);
  EXPECT_EQ(api.handle(post("/api/clusters/a/nodes/0/drain")).status, 200);
  EXPECT_TRUE(a->nodes()[0]->drained());
}

// With a token, a state change needs it on every path, from loopback too; the refusal is
// decided on the head alone (no body), and new options apply to the next request.
TEST(TokenTest, RefusalNeedsNoBodyAndOptionsChangeLive) {
  AdminApi api(fixedHooks({}), ApiOptions{});
  EXPECT_FALSE(api.refusal(post("/api/reload")).has_value());
  api.setOptions(ApiOptions{"s3cret", false});
  ASSERT_TRUE(api.refusal(post("/api/reload")).has_value());
  EXPECT_EQ(api.refusal(post("/api/reload"))->status, 401);
  EXPECT_EQ(api.refusal(post("/metrics"))->status, 401);
  EXPECT_FALSE(api.refusal(get("/metrics")).has_value());
  Request with_token = post("/api/reload");
  with_token.authorization = "Bearer s3cret";
  with_token.origin = "http://page.example";  // the token is the proof, whoever carries it
  EXPECT_FALSE(api.refusal(with_token).has_value());
  api.setOptions(ApiOptions{});
  EXPECT_FALSE(api.refusal(post("/api/reload")).has_value());
}

TEST(TokenTest, OnlyReadOnlyProbesAreAnsweredAtOnce) {
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    EXPECT_TRUE(AdminApi::answersAtOnce(get(path))) << path;
    EXPECT_FALSE(AdminApi::answersAtOnce(post(path))) << path;
  }
  EXPECT_FALSE(AdminApi::answersAtOnce(get("/api/clusters")));
  EXPECT_FALSE(AdminApi::answersAtOnce(post("/api/reload")));
}

}  // namespace
}  // namespace warren::admin
