// MAESTRO's level analysis (docs/maestro_model.md 5.1-5.4 and 6.1, CA_cost-analysis-engine.hpp
// AnalyzeClusterLevel_V2 and UpdateBufferSizeReq): every cluster level is analysed case by
// case, recursing into the sub-clusters for each case, accumulating runtime, MACs, buffer
// requirements and access counts.
#pragma once

#include <array>
#include <cstdint>

#include "problems/accel/maestro_clusters.h"
#include "problems/accel/maestro_dimensions.h"
#include "problems/accel/maestro_model.h"

namespace tessel::maestro {

// One tensor's counts in one level's result. "l2" is MAESTRO's upstream buffer (the one above
// this cluster), "l1" its downstream buffer (in the sub-clusters).
struct TensorCounts {
  int64_t l2_read = 0, l2_write = 0, l1_read = 0, l1_write = 0;
  int64_t l2_requirement = 0, l1_requirement = 0;  // elements, double buffered (6.1)
};

// One analysis of one cluster level (MAESTRO's CostAnalyisResults).
struct LevelResult {
  int64_t runtime = 0;  // cycles
  int64_t macs = 0;
  std::array<TensorCounts, kNumTensors> tensors{};

  TensorCounts& operator[](TensorClass t) { return tensors[static_cast<int>(t)]; }
  const TensorCounts& operator[](TensorClass t) const { return tensors[static_cast<int>(t)]; }
};

struct LayerAnalysis {
  LevelResult top;              // the top cluster's result (OUT[-1], 5.5)
  LevelResult first_innermost;  // the first result appended (OUT[0], 6.2: the L1 sizes)
  // MAESTRO would have stopped without writing a result: a zero unique count in 4.2
  // (TerminateProgram), or v2021's off-chip term dividing by a zero compute delay (5.4).
  bool aborted = false;
};

// Analyses the cluster stack on the layer's dimensions (5.1, Analyze(0, layer dims)).
LayerAnalysis AnalyseClusterStack(const ClusterStack& clusters, const TensorSet& tensors,
                                  const DimTable& layer_dims, const MaestroHardware& hardware);

}  // namespace tessel::maestro
