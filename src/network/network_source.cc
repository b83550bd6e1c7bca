#include "network/network_source.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/memory_size.h"
#include "network/onnx_import.h"
#include "network/zoo_graphs.h"
#include "problems/schedule/zoo.h"

namespace tessel {

std::string Network::TaskLabel(const std::string& workload) const {
  // A layer's task has one label whatever layout it runs in.
  Workload stored = ParseWorkloadSpec(workload);
  if (auto* conv = std::get_if<Conv2dShape>(&stored)) conv->layout = TensorLayout::kNchw;
  for (const NamedTask& named : tasks)
    if (named.task.workload == stored) return named.label;
  return workload;
}

namespace {

// Every node's output is held while the network runs (the executor and the reference both keep
// them): refused when they would need more than half of the memory this process may use
// (UsableMemoryBytes), before any is
// allocated. Shapes are products of sizes from the file, so they are summed in double.
void CheckNetworkFits(const Network& network) {
  double bytes = 0;
  for (const Node& node : network.graph.nodes) {
    double elements = 1;
    for (int64_t size : node.shape) elements *= static_cast<double>(size);
    bytes += 4 * elements;
  }
  const uint64_t memory = UsableMemoryBytes();
  if (memory > 0 && bytes > static_cast<double>(memory) / 2)
    throw ConfigError("network " + network.name + ": its layers' outputs need " +
                      FormatMemorySize(static_cast<uint64_t>(std::min(bytes, 1e18))) +
                      ", more than half of the " + FormatMemorySize(memory) +
                      " this process may use" + "; give a smaller input shape");
}

}  // namespace

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
  CheckNetworkFits(network);
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
