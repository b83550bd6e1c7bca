// Graph passes that prepare a network for tuning and running: batch norms folded into the
// convolutions before them, elementwise epilogues fused into the kernel that produces their
// input, and the unique tuning tasks with how often the network runs each.
#pragma once

#include <string>
#include <vector>

#include "network/graph.h"
#include "problems/schedule/workload.h"

namespace tessel {

// A batch norm whose input is a convolution that nothing else reads becomes that
// convolution's weights and bias: w' = w * g, b' = (b - mean) * g + shift with
// g = scale / sqrt(var + epsilon).
Graph FoldBatchNorm(const Graph& graph);

// conv2d or dense followed by relu, conv2d followed by add (the other operand read as a
// residual, when it is computed before the convolution) and then relu, and add followed by
// relu: the second operation becomes the first one's epilogue when nothing else reads the
// first one's output.
Graph FuseEpilogues(const Graph& graph);

// Stores the network's activations in `layout` wherever its kernels take it: convolutions,
// pooling, batch norms, ReLUs, adds and concatenations. The graph's input, its output and a
// flatten's input stay NCHW. Where a node reads a tensor stored in another layout, a
// kLayoutTransform node stores it anew (once per tensor and layout), so that converting is
// timed with the network; tensors of one pixel or one channel, the same either way, are read as
// they are. kNchw leaves the graph as it is.
Graph ConvertLayout(const Graph& graph, TensorLayout layout);

// FoldBatchNorm, then FuseEpilogues, then ConvertLayout.
Graph OptimizeForInference(const Graph& graph, TensorLayout layout = TensorLayout::kNchw);

struct GraphTask {
  Workload workload;
  int occurrences = 0;
  std::vector<std::string> nodes;  // the nodes that run it, in graph order
};

// The graph's conv2d and dense workloads, each once, in order of first appearance.
std::vector<GraphTask> ExtractTasks(const Graph& graph);

}  // namespace tessel
