#include "network/network_source.h"

#include <filesystem>

#include "core/error.h"
#include "network/onnx_import.h"
#include "network/zoo_graphs.h"
#include "problems/schedule/zoo.h"

namespace tessel {

std::string Network::TaskLabel(const std::string& workload) const {
  for (const NamedTask& named : tasks)
    if (WorkloadSpec(named.task.workload) == workload) return named.label;
  return workload;
}

Network LoadNetwork(const NetworkSource& source, uint64_t seed) {
  if (source.model.empty() == source.onnx.empty())
    throw ConfigError("give one network: --model NAME (see 'tessel zoo') or --onnx FILE");
  Network network;
  std::string prefix;
  const ZooModel* zoo = nullptr;
  if (!source.model.empty()) {
    zoo = &FindModel(source.model);
    network.name = zoo->name;
    network.graph = ZooGraph(zoo->name, seed);
    prefix = zoo->prefix;
  } else {
    network.graph = ImportOnnx(source.onnx);
    network.name = network.graph.name;
    prefix = std::filesystem::path(source.onnx).stem().string();
  }
  // Zoo tasks keep their docs/layers.md names; any others are numbered after them.
  int next = zoo ? static_cast<int>(zoo->layers.size()) + 1 : 1;
  for (GraphTask& task : ExtractTasks(OptimizeForInference(network.graph))) {
    std::string label;
    if (zoo)
      for (const ZooLayer& layer : zoo->layers)
        if (layer.workload == task.workload) label = layer.name;
    if (label.empty()) label = prefix + "." + std::to_string(next++);
    network.tasks.push_back({label, std::move(task)});
  }
  return network;
}

}  // namespace tessel
