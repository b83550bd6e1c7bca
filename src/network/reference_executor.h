// Runs a graph with plain loops, independent of Halide and of any schedule: what tuned
// networks are checked against. Fused epilogues (residual, relu) are honoured, so a graph
// gives the same result before and after the passes.
#pragma once

#include <vector>

#include "network/graph.h"

namespace tessel {

// The output tensor for `input` (the graph's input shape, dense row-major). Throws
// tessel::Error when the input has the wrong size.
std::vector<float> RunReference(const Graph& graph, const std::vector<float>& input);

}  // namespace tessel
