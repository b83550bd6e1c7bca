#include "cli/task_selection.h"

#include <algorithm>
#include <cstdlib>

#include "cli/commands.h"
#include "core/error.h"
#include "network/network_source.h"
#include "problems/schedule/zoo.h"

namespace tessel::cli {

std::string ResolveDbPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("TESSEL_DB"); env && *env) return env;
  return "tessel.db";
}

std::vector<NamedWorkload> SelectWorkloads(const TaskSelection& tasks) {
  std::vector<NamedWorkload> selected;
  if (!tasks.onnx.empty()) {
    if (!tasks.model.empty()) throw ConfigError("give --model or --onnx, not both");
    if (!tasks.op.empty() && tasks.op != "conv2d" && tasks.op != "dense")
      throw ConfigError("unknown operator '" + tasks.op + "' for --op; use conv2d or dense");
    const Network network = LoadNetwork({"", tasks.onnx}, 0);
    const std::string prefix =
        network.tasks.empty() ? std::string()
                              : network.tasks[0].label.substr(0, network.tasks[0].label.rfind('.'));
    for (const NamedTask& named : network.tasks) {
      const bool wanted =
          tasks.layers.empty()
              ? tasks.op.empty() || OperatorName(named.task.workload) == tasks.op
              : std::any_of(tasks.layers.begin(), tasks.layers.end(),
                            [&](const std::string& layer) {
                              return layer == named.label || prefix + "." + layer == named.label;
                            });
      if (wanted) selected.push_back({named.label, named.task.workload, named.task.occurrences});
    }
    for (const std::string& layer : tasks.layers)
      if (std::none_of(selected.begin(), selected.end(), [&](const NamedWorkload& item) {
            return item.name == layer || item.name == prefix + "." + layer;
          }))
        throw ConfigError("unknown layer '" + layer + "' of " + tasks.onnx + "; its tasks are " +
                          prefix + ".1 to " + prefix + "." + std::to_string(network.tasks.size()));
    if (network.tasks.empty())
      throw ConfigError(tasks.onnx + " has no conv2d or dense layer to tune");
  } else if (!tasks.model.empty()) {
    const ZooModel& model = FindModel(tasks.model);
    if (!tasks.op.empty() && tasks.op != "conv2d" && tasks.op != "dense")
      throw ConfigError("unknown operator '" + tasks.op + "' for --op; use conv2d or dense");
    if (tasks.layers.empty()) {
      for (const ZooLayer& layer : model.layers)
        if (tasks.op.empty() || OperatorName(layer.workload) == tasks.op)
          selected.push_back({layer.name, layer.workload, layer.occurrences});
    } else {
      for (const std::string& name : tasks.layers) {
        const ZooLayer& layer = FindLayer(model, name);
        selected.push_back({layer.name, layer.workload, layer.occurrences});
      }
    }
  } else if (!tasks.layers.empty() || !tasks.op.empty()) {
    throw ConfigError("--layer and --op need --model or --onnx");
  }
  if (tasks.layout == "nhwc") {
    if (tasks.model.empty() && tasks.onnx.empty())
      throw ConfigError(
          "--layout needs --model or --onnx; a --workload gives its own, e.g. "
          "conv2d:...,layout=nhwc");
    for (NamedWorkload& item : selected)
      if (auto* conv = std::get_if<Conv2dShape>(&item.workload)) conv->layout = TensorLayout::kNhwc;
  }
  for (const std::string& spec : tasks.workloads) {
    Workload workload = ParseWorkloadSpec(spec);
    selected.push_back({WorkloadSpec(workload), workload});
  }
  return selected;
}

}  // namespace tessel::cli
