#include "problems/noc/routing_catalog.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "problems/noc/q_routing.h"

namespace tessel::noc {
namespace {

constexpr std::string_view kQRouting = "q-routing";

void CheckKnown(std::string_view name) {
  const std::vector<std::string_view>& names = AllRoutingNames();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw ConfigError("unknown NoC routing '" + std::string(name) +
                      "'; choose one of: " + JoinNames(names));
}

}  // namespace

const std::vector<std::string_view>& AllRoutingNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all = RoutingNames();
    all.push_back(kQRouting);
    return all;
  }();
  return names;
}

std::unique_ptr<RoutingAlgorithm> MakeAnyRouting(const NocConfig& config) {
  CheckKnown(config.routing);
  if (config.routing == kQRouting) return std::make_unique<QRouting>(config);
  return MakeRouting(config.routing, Mesh{config.k});
}

int RoutingVcClasses(std::string_view name) {
  CheckKnown(name);
  // Q-routing keeps to odd-even's turns, deadlock free with one class.
  if (name == kQRouting) return 1;
  return MakeRouting(name, Mesh{2})->vc_classes();
}

}  // namespace tessel::noc
