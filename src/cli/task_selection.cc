#include "cli/task_selection.h"

#include <cstdlib>

#include "cli/commands.h"
#include "core/error.h"
#include "workload/zoo.h"

namespace tessel::cli {

std::string ResolveDbPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("TESSEL_DB"); env && *env) return env;
  return "tessel.db";
}

std::vector<NamedWorkload> SelectWorkloads(const TaskSelection& tasks) {
  std::vector<NamedWorkload> selected;
  if (!tasks.model.empty()) {
    const ZooModel& model = FindModel(tasks.model);
    if (!tasks.op.empty() && tasks.op != "conv2d" && tasks.op != "dense")
      throw ConfigError("unknown operator '" + tasks.op + "' for --op; use conv2d or dense");
    if (tasks.layers.empty()) {
      for (const ZooLayer& layer : model.layers)
        if (tasks.op.empty() || OperatorName(layer.workload) == tasks.op)
          selected.push_back({layer.name, layer.workload});
    } else {
      for (const std::string& name : tasks.layers) {
        const ZooLayer& layer = FindLayer(model, name);
        selected.push_back({layer.name, layer.workload});
      }
    }
  } else if (!tasks.layers.empty() || !tasks.op.empty()) {
    throw ConfigError("--layer and --op need --model");
  }
  for (const std::string& spec : tasks.workloads) {
    Workload workload = ParseWorkloadSpec(spec);
    selected.push_back({WorkloadSpec(workload), workload});
  }
  return selected;
}

}  // namespace tessel::cli
