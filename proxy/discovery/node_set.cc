#include "discovery/node_set.h"

#include <algorithm>

namespace warren::discovery {

std::string hostKey(const config::Node& node) { return node.host + ":" + std::to_string(node.port); }

std::vector<std::string> hostKeys(const config::Config& config) {
  std::vector<std::string> keys;
  for (const auto& c : config.clusters) {
    for (const auto& n : c.nodes) {
      if (n.host.empty()) continue;
      std::string key = hostKey(n);
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
  }
  return keys;
}

void sortUnique(std::vector<Address>& addresses) {
  std::sort(addresses.begin(), addresses.end(),
            [](const Address& a, const Address& b) { return a.toString() < b.toString(); });
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
}

config::Cluster expandNodes(const config::Cluster& cluster, const ResolvedHosts& resolved) {
  config::Cluster out = cluster;
  out.nodes.clear();
  auto present = [&](const Address& a) {
    return std::any_of(out.nodes.begin(), out.nodes.end(), [&](const config::Node& n) { return n.address == a; });
  };
  // Literals first, so that a name resolving to a literal's address never takes its place.
  for (const auto& n : cluster.nodes) {
    if (n.host.empty() && !present(n.address)) out.nodes.push_back(n);
  }
  for (const auto& n : cluster.nodes) {
    if (n.host.empty()) continue;
    auto it = resolved.find(hostKey(n));
    if (it == resolved.end()) continue;
    for (const Address& a : it->second) {
      if (present(a)) continue;
      config::Node node = n;
      node.address = a;
      out.nodes.push_back(std::move(node));
    }
  }
  return out;
}

AddressDiff diffAddresses(const std::vector<Address>& before, const std::vector<Address>& after) {
  AddressDiff diff;
  auto contains = [](const std::vector<Address>& list, const Address& a) {
    return std::find(list.begin(), list.end(), a) != list.end();
  };
  for (const Address& a : after) {
    if (!contains(before, a)) diff.added.push_back(a);
  }
  for (const Address& a : before) {
    if (!contains(after, a)) diff.removed.push_back(a);
  }
  return diff;
}

std::string listText(const std::vector<Address>& addresses) {
  std::string out = "[";
  for (size_t i = 0; i < addresses.size(); ++i) out += (i == 0 ? "" : ",") + addresses[i].toString();
  return out + "]";
}

}  // namespace warren::discovery
