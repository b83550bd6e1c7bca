// Every routing algorithm the simulator runs by name: the built-in ones of routing.h and the
// learned per-router Q-routing of q_routing.h ("q-routing", with its default options), which
// needs the whole configuration rather than the mesh alone (its tables start from the
// latencies).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "problems/noc/noc_config.h"
#include "problems/noc/routing.h"

namespace tessel::noc {

// RoutingNames() and "q-routing".
const std::vector<std::string_view>& AllRoutingNames();

// The algorithm config.routing names, for config. Throws tessel::ConfigError listing
// AllRoutingNames() for an unknown name.
std::unique_ptr<RoutingAlgorithm> MakeAnyRouting(const NocConfig& config);

// How many VC classes the named algorithm splits the VCs into, without building it. Throws as
// MakeAnyRouting.
int RoutingVcClasses(std::string_view name);

}  // namespace tessel::noc
