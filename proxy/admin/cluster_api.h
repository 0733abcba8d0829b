// The cluster part of the admin API: node state as JSON, and the operator's actions on a
// node (drain, undrain, weight). Nodes are named by their address text (Node::name(),
// e.g. "127.0.0.1:5672") or by their index in the cluster.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/http.h"
#include "upstream/cluster.h"

namespace warren::admin {

nlohmann::json nodeJson(const upstream::Node& node, size_t index, int64_t now_ms);
nlohmann::json clustersJson(const std::vector<upstream::ClusterSharedPtr>& clusters, int64_t now_ms);

// The node `name` (address text, or a decimal index) of `cluster`, or nullptr.
upstream::Node* findNode(const upstream::Cluster& cluster, const std::string& name, size_t* index);

enum class NodeAction { Drain, Undrain, Weight };

// POST /api/clusters/{cluster}/nodes/{node}/{action}: 404 for an unknown cluster or node,
// 400 for a bad weight (JSON body {"weight": N} or query weight=N, 1..1000); else 200 with
// the node's new state.
Response nodeAction(const std::vector<upstream::ClusterSharedPtr>& clusters, const std::string& cluster,
                    const std::string& node, NodeAction action, const Request& request, int64_t now_ms);

}  // namespace warren::admin
