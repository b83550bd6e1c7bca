// Where a network comes from: a zoo model (random weights) or an ONNX file, with its tuning
// tasks named the way the rest of Tessel names them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "network/graph.h"
#include "network/passes.h"

namespace tessel {

struct NetworkSource {
  std::string model;  // a zoo model's name, or
  std::string onnx;   // an ONNX file's path
};

struct NamedTask {
  std::string label;  // "r18.2" for zoo models (docs/layers.md's names), "<file stem>.N" for ONNX
  GraphTask task;
};

struct Network {
  std::string name;
  Graph graph;                   // as given: not yet folded or fused
  std::vector<NamedTask> tasks;  // the optimised graph's tasks, in order of first appearance

  // The label of the task with this workload spec, in either layout (the spec itself when it is
  // none of them).
  std::string TaskLabel(const std::string& workload) const;
};

// Throws tessel::Error when neither or both sources are given, for an unknown model, and for
// files that cannot be imported.
Network LoadNetwork(const NetworkSource& source, uint64_t seed);

}  // namespace tessel
