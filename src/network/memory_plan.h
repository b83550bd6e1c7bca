// Where a network's tensors live while it runs. Tensors whose lifetimes do not overlap share a
// buffer, as TVM's graph memory planner and ONNX Runtime's arenas share theirs: a layer then
// writes into memory that a recent layer read, still in cache, instead of a buffer of its own
// last touched a whole network earlier (on MobileNet-v1, one buffer per tensor is about 20 MB of
// activations a run, so each layer's stores first fetched their lines from memory). At batch 1
// the inputs of an NCHW concatenation are written straight into their slice of it, and a
// flatten is its input's tensor.
#pragma once

#include <cstdint>
#include <vector>

#include "network/graph.h"

namespace tessel {

struct MemoryPlan {
  struct Place {
    int buffer = -1;     // index into buffer_sizes
    int64_t offset = 0;  // in elements
  };
  std::vector<int64_t> buffer_sizes;  // elements
  std::vector<Place> places;          // per node: where its output lives

  int64_t TotalElements() const;
};

// A tensor lives from the first node that writes it to the last node that reads it (the graph's
// output to the end); the buffer freed most recently that is large enough, else the one freed
// most recently (grown), else a new one, holds the next tensor, so that the memory a layer
// writes is what the layers just before it touched.
MemoryPlan PlanMemory(const Graph& graph);

}  // namespace tessel
