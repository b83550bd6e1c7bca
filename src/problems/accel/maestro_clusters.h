// MAESTRO's cluster construction and per-cluster tables (docs/maestro_model.md 2.4, 3.1,
// 3.2): a resolved directive list becomes a stack of cluster levels, each with its own
// directives (converted to input-centric dimensions, completed by inheritance and unrolling),
// its static dimensions, its number of sub-clusters active in a spatial edge step, and its
// mapped/unique size tables. Everything here depends only on the layer, P and KTileSz, not on
// the iteration case being analysed.
#pragma once

#include <array>
#include <cstdint>

#include "problems/accel/maestro_dataflows.h"
#include "problems/accel/maestro_dimensions.h"

namespace tessel::maestro {

inline constexpr int kMaxClusterDirectives = 8;
using DirectiveList = FixedList<Directive, kMaxClusterDirectives>;

// Index of the first directive of `list` over `var`, or -1 (DirectiveTable::FindDirective).
int FindDirective(const DirectiveList& list, Dim var);

struct ClusterLevel {
  int64_t size = 1;  // c: sub-clusters of this cluster (GetNumClusters(false))
  DirectiveList directives;
  DimTable static_dims;       // the dimensions the cluster was built with (2.4)
  int spatial_index = -1;     // the first SpatialMap directive (upper_spatial_map_idx_)
  int64_t edge_clusters = 1;  // E: sub-clusters active in a spatial edge step (3.1)
  // 3.2: mapped, unique, mapped-at-edge and unique-at-edge sizes per variable (M, U, ME, UE),
  // from the static dimensions.
  DimTable mapped, unique, mapped_edge, unique_edge;
  // The directive over each variable, -1 where none (variables are distinct per cluster).
  std::array<int8_t, kNumDims> directive_of{};

  int DirectiveIndexOf(Dim var) const { return directive_of[DimIndex(var)]; }
  const Directive& SpatialDirective() const { return directives[spatial_index]; }
};

inline constexpr int kMaxClusterLevels = 4;
// Index 0 is the top cluster (MAESTRO's cluster 0), the last the innermost (the PEs).
using ClusterStack = FixedList<ClusterLevel, kMaxClusterLevels>;

// docs/maestro_model.md 2.4 (ClusterAnalysis::AnalyzeClusters), then 3.1 and 3.2 per level.
ClusterStack BuildClusters(const ResolvedDataflow& dataflow, const DimTable& layer_dims,
                           int64_t num_pes, const TensorSet& tensors);

}  // namespace tessel::maestro
