// The zoo's networks with their real topology (torchvision's definitions; MobileNet-v1 as
// in its paper): pooling, residual adds, concatenations and the classifier, inference mode
// (dropout is the identity and is left out), 1x3x224x224 input, logits out.
#pragma once

#include <cstdint>
#include <string_view>

#include "network/graph.h"

namespace tessel {

// Random weights, seeded: He-uniform convolutions and dense layers, and batch norms near
// the identity, so that activations keep their scale through the whole network.
// Throws tessel::Error listing the known models when the name is unknown.
Graph ZooGraph(std::string_view model, uint64_t seed);

}  // namespace tessel
