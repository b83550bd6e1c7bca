// The per-case quantities of MAESTRO's reuse analysis (docs/maestro_model.md 4,
// CA_reuse-analysis.hpp): for one cluster and one iteration case, how much of a tensor a
// sub-cluster holds, receives and sends, how many partial sums the busiest sub-cluster
// computes, how many MACs all of them do, and the dimensions handed down to the sub-clusters.
// "PE" below means a sub-cluster of this cluster, as in MAESTRO's names.
#pragma once

#include <cstdint>

#include "problems/accel/maestro_clusters.h"
#include "problems/accel/maestro_dimensions.h"
#include "problems/accel/maestro_iteration.h"

namespace tessel::maestro {

class CaseQuantities {
 public:
  CaseQuantities(const ClusterLevel& cluster, const IterCase& iter_case);

  // 4.3: traffic from the upper buffer into the sub-clusters for input tensor `t`, one step.
  int64_t SpatialIngressTraffic(const TensorVars& t) const;
  // 4.5: outputs the sub-clusters send up in one step.
  int64_t SpatialEgressTraffic(const TensorVars& t) const;
  // 4.5: the partial sums (MACs) of the busiest sub-cluster in one step.
  int64_t CriticalPathPartialSums(const TensorVars& t) const;
  // 4.6: the MACs of all active sub-clusters in one step.
  int64_t OutputSpatialMappingSize(const TensorVars& t) const;
  // 4.7: one sub-cluster's share of `t` (a buffer requirement; independent of the case).
  int64_t MappedVolume(const TensorVars& t) const;
  // 4.8: the case dimensions of the sub-cluster analysis; `sp_edge_edge` for the partial one.
  DimTable SubClusterDimensions(bool sp_edge_edge) const;

  // The state of the cluster's first SpatialMap in this case.
  const IterState& SpatialState() const { return StateAt(cluster_.spatial_index); }

  // True when MAESTRO would have stopped (TerminateProgram) evaluating this case: a changing
  // temporal dimension with no unique elements in 4.2.
  bool aborted() const { return aborted_; }

 private:
  // How a tensor is spread over the sub-clusters in this case (the loops at the start of
  // GetSpatialIngressTraffic and its siblings).
  struct SpatialMapping {
    bool mapped = false;               // some variable has a SpatialMap
    bool edge = false;                 // one of those SpatialMaps is in an edge state
    const IterState* state = nullptr;  // the state of the last such SpatialMap
  };
  SpatialMapping SpatialMappingOf(const TensorVars& t) const;

  int64_t PEMappedVolume(const TensorVars& t, bool first, bool sp_edge_edge) const;
  int64_t PEIngressVolume(const TensorVars& t, bool first, bool sp_edge_edge) const;
  int64_t PEEgressVolume(const TensorVars& t, bool partial_sums, bool first, bool sp_edge_edge,
                         bool reuse_at_edge = true) const;
  int64_t PartialSumFactors(const TensorVars& t, bool first, bool sp_edge_edge) const;
  int64_t OutputFactors(const TensorVars& t, bool first, bool sp_edge_edge,
                        bool reuse_at_edge) const;
  int InnermostUpdatedDirective() const;
  bool IsTensorInited(const TensorVars& t, int changing) const;

  // Sums a per-sub-cluster volume over the sub-clusters active in this step, the pattern of
  // 4.3 and 4.5. `volume(first, sp_edge_edge)` is one sub-cluster's volume.
  template <typename Volume>
  int64_t SumOverSubClusters(const SpatialMapping& mapping, const Volume& volume) const;

  const IterState& StateAt(int directive_index) const {
    return *iter_case_.states[directive_index];
  }
  const IterState& StateOf(Dim var) const { return StateAt(cluster_.DirectiveIndexOf(var)); }
  int64_t EdgeClusters() const { return cluster_.edge_clusters; }

  const ClusterLevel& cluster_;
  const IterCase& iter_case_;
  const int changing_;  // InnermostUpdatedDirective(), the same for every tensor of the case
  mutable bool aborted_ = false;
};

}  // namespace tessel::maestro
