#include "admin/cluster_api.h"

#include <charconv>

namespace warren::admin {
namespace {

using nlohmann::json;

constexpr int64_t kMinWeight = 1;
constexpr int64_t kMaxWeight = 1000;

bool parseIndex(const std::string& text, size_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The weight from the query (weight=N) or the JSON body ({"weight": N}); "" or an error.
std::string weightFrom(const Request& request, int64_t& weight) {
  std::string text;
  if (queryParam(request.query, "weight", text)) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), weight);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return "query parameter weight must be an integer";
    }
  } else {
    const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) return "body must be a JSON object such as {\"weight\": 5}";
    const auto it = body.find("weight");
    if (it == body.end() || !it->is_number_integer()) return "body must have an integer \"weight\"";
    weight = it->get<int64_t>();
  }
  if (weight < kMinWeight || weight > kMaxWeight) return "weight must be between 1 and 1000";
  return "";
}

}  // namespace

json nodeJson(const upstream::Node& node, size_t index, int64_t now_ms) {
  const int64_t down_until = node.downUntil();
  return json{
      {"index", index},
      {"address", node.name()},
      {"health", upstream::toString(node.health())},
      {"weight", node.weight()},
      {"drained", node.drained()},
      {"active_connections", node.active()},
      {"passive_down", node.isDown(now_ms)},
      {"passive_down_remaining_ms", down_until > now_ms ? down_until - now_ms : 0},
      {"consecutive_failures", node.consecutiveFailures()},
      {"eligible", node.eligible(now_ms)},
  };
}

json clustersJson(const std::vector<upstream::ClusterSharedPtr>& clusters, int64_t now_ms) {
  json list = json::array();
  for (const auto& cluster : clusters) {
    json nodes = json::array();
    const auto all = cluster->nodes();
    for (size_t i = 0; i < all.size(); ++i) nodes.push_back(nodeJson(*all[i], i, now_ms));
    list.push_back(json{{"name", cluster->name()},
                        {"balance", config::toString(cluster->config().balance)},
                        {"nodes", std::move(nodes)}});
  }
  return json{{"clusters", std::move(list)}};
}

upstream::Node* findNode(const upstream::Cluster& cluster, const std::string& name, size_t* index) {
  const auto nodes = cluster.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i]->name() == name) {
      *index = i;
      return nodes[i];
    }
  }
  size_t i = 0;
  if (parseIndex(name, i) && i < nodes.size()) {
    *index = i;
    return nodes[i];
  }
  return nullptr;
}

Response nodeAction(const std::vector<upstream::ClusterSharedPtr>& clusters, const std::string& cluster_name,
                    const std::string& node_name, NodeAction action, const Request& request, int64_t now_ms) {
  const upstream::Cluster* cluster = nullptr;
  for (const auto& c : clusters) {
    if (c->name() == cluster_name) cluster = c.get();
  }
  if (cluster == nullptr) return errorResponse(404, "no cluster named \"" + cluster_name + "\"");
  size_t index = 0;
  upstream::Node* node = findNode(*cluster, node_name, &index);
  if (node == nullptr) {
    return errorResponse(404, "cluster " + cluster_name + " has no node \"" + node_name + "\" (address or index)");
  }
  switch (action) {
    case NodeAction::Drain: node->setDrained(true); break;
    case NodeAction::Undrain: node->setDrained(false); break;
    case NodeAction::Weight: {
      int64_t weight = 0;
      if (std::string error = weightFrom(request, weight); !error.empty()) return errorResponse(400, error);
      node->setWeight(static_cast<uint32_t>(weight));
      break;
    }
  }
  return jsonResponse(200, json{{"cluster", cluster_name}, {"node", nodeJson(*node, index, now_ms)}});
}

}  // namespace warren::admin
