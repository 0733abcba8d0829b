// The node list of a cluster once its host names are resolved, and what changed between
// two resolutions. Pure functions: the Server applies the result through the reload path
// (a new upstream::Cluster built with the previous one, which shares the surviving Nodes).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/config.h"

namespace warren::discovery {

// "host:port" → the addresses it resolved to last (a name that never resolved is absent).
using ResolvedHosts = std::map<std::string, std::vector<Address>>;

// "rabbit.svc:5672": the key of a host-name node in ResolvedHosts.
std::string hostKey(const config::Node& node);
// Every host-name node's key, each once, in config order.
std::vector<std::string> hostKeys(const config::Config& config);

// Sorts (by text) and drops duplicates, so that two resolutions compare as sets.
void sortUnique(std::vector<Address>& addresses);

// `cluster` with each host-name node replaced by one node per address it resolved to (the
// entry's weight, host and port kept); literal nodes stay as they are. An address that is
// already in the list (a literal, or another name resolving to it) is not added twice.
config::Cluster expandNodes(const config::Cluster& cluster, const ResolvedHosts& resolved);

struct AddressDiff {
  std::vector<Address> added;
  std::vector<Address> removed;
  bool empty() const { return added.empty() && removed.empty(); }
};
// What joins and what leaves the pool when `before` becomes `after` (both sorted-unique).
AddressDiff diffAddresses(const std::vector<Address>& before, const std::vector<Address>& after);
// "[10.0.0.5:5672,10.0.0.6:5672]" for the logs.
std::string listText(const std::vector<Address>& addresses);

}  // namespace warren::discovery
