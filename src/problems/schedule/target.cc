#include "problems/schedule/target.h"

#include <nlohmann/json.hpp>

#include "core/host.h"
#include "problems/schedule/operator_template.h"

namespace tessel {

std::string HostTargetKey(int threads) {
  nlohmann::json key = {{"cpu", CpuModelName()}, {"isa", HostTargetString()}, {"threads", threads}};
  return key.dump();
}

}  // namespace tessel
