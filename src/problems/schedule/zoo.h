// The benchmark networks' unique layer tasks (docs/layers.md, then AlexNet's and VGG-16's
// three classifier layers), batch 1, fp32, in the order docs/layers.md numbers them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "problems/schedule/workload.h"

namespace tessel {

struct ZooLayer {
  std::string name;  // "r18.2": model prefix and 1-based task number
  Workload workload;
  int occurrences;  // how often the network runs this task
};

struct ZooModel {
  std::string name;    // "resnet18"
  std::string prefix;  // "r18"
  std::vector<ZooLayer> layers;
};

const std::vector<ZooModel>& Zoo();

// Throws tessel::Error listing the known models when the name is unknown.
const ZooModel& FindModel(std::string_view name);

// A layer by its full name ("r18.2") or its number within the model ("2").
const ZooLayer& FindLayer(const ZooModel& model, std::string_view layer);

// A layer of any model by its full name ("r18.2", as `tessel zoo` lists them); throws
// tessel::Error naming it when no model has it.
const ZooLayer& FindZooLayer(std::string_view name);

}  // namespace tessel
