#include "problems/schedule/target.h"

#include <sched.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "problems/schedule/operator_template.h"

namespace tessel {

std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    const size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

std::string HostTargetKey(int threads) {
  nlohmann::json key = {{"cpu", CpuModelName()}, {"isa", HostTargetString()}, {"threads", threads}};
  return key.dump();
}

int DefaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace tessel
