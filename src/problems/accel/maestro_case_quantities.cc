#include "problems/accel/maestro_case_quantities.h"

#include <algorithm>

#include "core/error.h"

namespace tessel::maestro {
namespace {

// MAESTRO multiplies by a unique count only when it is not zero ("U[...] or 1", 4.4).
int64_t NonZeroOrOne(int64_t value) { return value != 0 ? value : 1; }

}  // namespace

CaseQuantities::CaseQuantities(const ClusterLevel& cluster, const IterCase& iter_case)
    : cluster_(cluster), iter_case_(iter_case), changing_(InnermostUpdatedDirective()) {}

CaseQuantities::SpatialMapping CaseQuantities::SpatialMappingOf(const TensorVars& t) const {
  SpatialMapping mapping;
  for (Dim var : t) {
    const int index = cluster_.DirectiveIndexOf(var);
    // MAESTRO dereferences the missing directive; unrolling (2.4) maps every tensor variable.
    TESSEL_CHECK(index >= 0) << "a tensor variable has no directive in its cluster";
    if (!cluster_.directives[index].IsSpatial()) continue;
    mapping.mapped = true;
    mapping.state = &StateAt(index);
    if (mapping.state->IsEdge()) mapping.edge = true;
  }
  return mapping;
}

// docs/maestro_model.md 4.1 (GetPEMappedVolume, CA_reuse-analysis.hpp:268-336): the tile of
// `t` one sub-cluster holds. In a spatial edge step with a single active sub-cluster only the
// first (or the partial) one holds the partial tile; the others hold nothing of that variable.
int64_t CaseQuantities::PEMappedVolume(const TensorVars& t, bool first, bool sp_edge_edge) const {
  int64_t volume = 1;
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    const Directive& directive = cluster_.directives[j];
    const Dim v = directive.var;
    if (!t.Contains(v)) continue;
    const IterState& state = StateAt(j);
    if (directive.IsTemporal()) {
      volume *= state.IsEdge() ? cluster_.mapped_edge[v] : cluster_.mapped[v];
    } else if (!state.IsEdge()) {
      volume *= cluster_.mapped[v];
    } else if (EdgeClusters() == 1 && (first || sp_edge_edge)) {
      volume *= cluster_.mapped_edge[v];
    } else if (EdgeClusters() > 1) {
      volume *= sp_edge_edge ? cluster_.mapped_edge[v] : cluster_.mapped[v];
    }
  }
  return volume;
}

// GetInnermostUpdatedDimDirectiveID (1277-1304): the last directive not in its Init state,
// i.e. the loop that advanced to reach this case; -1 when every directive is at Init.
int CaseQuantities::InnermostUpdatedDirective() const {
  int changing = -1;
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    if (StateAt(j).position != IterPosition::kInit) changing = j;
  }
  return changing;
}

// IsTensorInited (1306-1333): an inner loop over `t` restarted in this case (it is at Init
// and does not cover its dimension), so the tensor's tile is reloaded whole rather than
// slid along the changing loop.
bool CaseQuantities::IsTensorInited(const TensorVars& t, int changing) const {
  for (int j = changing + 1; j < cluster_.directives.size(); ++j) {
    const IterState& state = StateAt(j);
    if (t.Contains(cluster_.directives[j].var) && state.position == IterPosition::kInit &&
        !state.unrolled) {
      return true;
    }
  }
  return false;
}

// docs/maestro_model.md 4.2 (GetPEIngressVolume, 338-461): what one sub-cluster receives of
// input tensor `t` in this step. A tensor moves data only when the innermost changing loop is
// one of its variables, and then only the unique (new) part along that loop.
int64_t CaseQuantities::PEIngressVolume(const TensorVars& t, bool first, bool sp_edge_edge) const {
  const int changing = changing_;
  if (changing == -1) return PEMappedVolume(t, first, sp_edge_edge);
  const bool inited = IsTensorInited(t, changing);
  const DimTable& full = sp_edge_edge ? cluster_.mapped_edge : cluster_.mapped;
  const DimTable& unique = sp_edge_edge ? cluster_.unique_edge : cluster_.unique;
  bool tensor_changes = false;
  int64_t volume = 1;
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    const Directive& directive = cluster_.directives[j];
    const Dim v = directive.var;
    if (!t.Contains(v)) continue;
    if (j == changing) tensor_changes = true;
    const IterState& state = StateAt(j);
    const bool at_init = state.position == IterPosition::kInit;
    if (directive.IsTemporal()) {
      if (at_init) {
        volume *= state.IsEdge() ? cluster_.mapped_edge[v] : cluster_.mapped[v];
      } else if (j == changing && !inited) {
        // MAESTRO stops (TerminateProgram) when the sliding loop has no new elements.
        if (cluster_.unique[v] == 0) aborted_ = true;
        volume *= std::max<int64_t>(cluster_.unique[v], 1);
      } else {
        volume *= cluster_.mapped[v];
      }
    } else if (at_init) {
      // Sub-clusters after the first share the overlap with their neighbour, except along the
      // loops that changed (j <= changing), which bring a fresh tile to every sub-cluster.
      volume *= (first || j <= changing) ? full[v] : unique[v];
    } else {
      volume *= (!first && !inited && j == changing) ? unique[v] : full[v];
    }
  }
  return tensor_changes ? volume : 0;
}

// 4.4, the reduction part of GetPEEgressVolume (607-700): the factors of the directives over
// variables the output tensor does not have (R, S, C, ...), giving partial sums per output.
int64_t CaseQuantities::PartialSumFactors(const TensorVars& t, bool first,
                                          bool sp_edge_edge) const {
  int64_t factor = 1;
  const int64_t edge_clusters = EdgeClusters();
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    const Directive& directive = cluster_.directives[j];
    const Dim v = directive.var;
    if (t.Contains(v)) continue;
    const IterState& state = StateAt(j);
    if (directive.IsTemporal()) {
      factor *= state.IsEdge() ? cluster_.mapped_edge[v] : cluster_.mapped[v];
      continue;
    }
    switch (state.position) {
      case IterPosition::kInit:
        if (state.IsEdge() && sp_edge_edge) {
          // Both of MAESTRO's branches (one or several edge sub-clusters) take the edge size.
          factor *= cluster_.mapped_edge[v];
        } else if (first) {
          factor *= cluster_.mapped[v];
        } else {
          factor *= NonZeroOrOne(cluster_.unique[v]);
        }
        break;
      case IterPosition::kSteady:
        factor *= first ? cluster_.mapped[v] : NonZeroOrOne(cluster_.unique[v]);
        break;
      case IterPosition::kEdge:
        if (edge_clusters == 1 && (first || sp_edge_edge)) {
          factor *= cluster_.mapped_edge[v];
        } else if (edge_clusters > 1) {
          factor *= sp_edge_edge ? cluster_.unique_edge[v]
                                 : (first ? cluster_.mapped[v] : NonZeroOrOne(cluster_.unique[v]));
        }
        break;
    }
  }
  return factor;
}

// 4.4, the output part of GetPEEgressVolume (702-846): one factor per output variable, read
// from the output-centric tables (Y', X') for the input-centric variables Y and X.
int64_t CaseQuantities::OutputFactors(const TensorVars& t, bool first, bool sp_edge_edge,
                                      bool reuse_at_edge) const {
  int64_t factor = 1;
  const int64_t edge_clusters = EdgeClusters();
  for (Dim v : t) {
    const int index = cluster_.DirectiveIndexOf(v);
    TESSEL_CHECK(index >= 0) << "an output variable has no directive in its cluster";
    const Directive& directive = cluster_.directives[index];
    const IterState& state = StateAt(index);
    const Dim a = IsReferenceDim(v) ? OutputDimOf(v) : v;
    if (directive.IsTemporal()) {
      switch (state.position) {
        case IterPosition::kInit:
          factor *= state.IsEdge() ? cluster_.mapped_edge[a] : cluster_.mapped[a];
          break;
        case IterPosition::kSteady:
          factor *= cluster_.mapped[a];
          break;
        case IterPosition::kEdge:
          factor *= cluster_.mapped_edge[a];
          break;
      }
      continue;
    }
    switch (state.position) {
      case IterPosition::kInit:
        if (state.IsEdge() && sp_edge_edge) {
          if (edge_clusters == 1) {
            factor *= cluster_.mapped_edge[a];
          } else {
            factor *= reuse_at_edge ? cluster_.unique_edge[a] : cluster_.mapped_edge[a];
          }
        } else {
          factor *= first ? cluster_.mapped[a] : NonZeroOrOne(cluster_.unique[a]);
        }
        break;
      case IterPosition::kSteady:
        factor *= first ? cluster_.mapped[a] : NonZeroOrOne(cluster_.unique[a]);
        break;
      case IterPosition::kEdge:
        if (edge_clusters == 1 && (first || sp_edge_edge)) {
          // Quirk (4.4): MAESTRO reads the input-centric v here, not the output-centric a.
          factor *= cluster_.mapped_edge[v];
        } else if (edge_clusters > 1) {
          factor *= sp_edge_edge ? cluster_.unique_edge[a]
                                 : (first ? cluster_.mapped[a] : NonZeroOrOne(cluster_.unique[a]));
        }
        break;
    }
  }
  return factor;
}

// docs/maestro_model.md 4.4: outputs one sub-cluster sends up (partial_sums false) or the
// partial sums it computes (true) in this step.
int64_t CaseQuantities::PEEgressVolume(const TensorVars& t, bool partial_sums, bool first,
                                       bool sp_edge_edge, bool reuse_at_edge) const {
  const int64_t reduction = partial_sums ? PartialSumFactors(t, first, sp_edge_edge) : 1;
  return reduction * OutputFactors(t, first, sp_edge_edge, reuse_at_edge);
}

template <typename Volume>
int64_t CaseQuantities::SumOverSubClusters(const SpatialMapping& mapping,
                                           const Volume& volume) const {
  // A tensor that is not spread over the sub-clusters is sent once (multicast).
  if (!mapping.mapped) return volume(true, false);
  if (!mapping.edge) return volume(true, false) + (cluster_.size - 1) * volume(false, false);
  // A spatial edge step: E sub-clusters are active, the last of them with a partial tile when
  // the state has the sp-edge-edge flag. The volumes multiplied by zero need not be computed:
  // whether MAESTRO stops in 4.2 does not depend on `first` or `sp_edge_edge`.
  const int64_t edge_clusters = EdgeClusters();
  const bool edge_edge = mapping.state->sp_edge_edge;
  int64_t total = (edge_clusters == 1 && edge_edge) ? volume(true, true) : volume(true, false);
  if (edge_clusters > 1) {
    const int64_t partial = edge_edge ? 1 : 0;
    const int64_t full = std::max<int64_t>(edge_clusters - partial - 1, 0);
    if (full > 0) total += full * volume(false, false);
    if (partial > 0) total += volume(false, true);
  }
  return total;
}

// docs/maestro_model.md 4.3 (GetSpatialIngressTraffic, 463-546).
int64_t CaseQuantities::SpatialIngressTraffic(const TensorVars& t) const {
  return SumOverSubClusters(SpatialMappingOf(t), [&](bool first, bool sp_edge_edge) {
    return PEIngressVolume(t, first, sp_edge_edge);
  });
}

// 4.5 (GetSpatialEgressTraffic, 848-908): 4.3 with egress volumes.
int64_t CaseQuantities::SpatialEgressTraffic(const TensorVars& t) const {
  return SumOverSubClusters(SpatialMappingOf(t), [&](bool first, bool sp_edge_edge) {
    return PEEgressVolume(t, /*partial_sums=*/false, first, sp_edge_edge);
  });
}

// 4.5 (GetNumCriticalPathPartialSums, 910-962): the first sub-cluster's partial sums, or the
// partial one's when it is the only one active.
int64_t CaseQuantities::CriticalPathPartialSums(const TensorVars& t) const {
  const SpatialMapping mapping = SpatialMappingOf(t);
  if (!mapping.mapped) return PEEgressVolume(t, true, true, false);
  if (!mapping.edge) return PEEgressVolume(t, true, true, false);
  const bool only_partial = EdgeClusters() == 1 && mapping.state->sp_edge_edge;
  return PEEgressVolume(t, true, true, only_partial);
}

// docs/maestro_model.md 4.6 (GetOutputTensorSpatialMappingSize with for_partial_sum, 964-1030).
// Here every SpatialMap of the cluster counts, not only those over the tensor's variables, so
// a cluster spreading a reduction dimension (dla's and dpt's C) counts as spatially mapped.
int64_t CaseQuantities::OutputSpatialMappingSize(const TensorVars& t) const {
  SpatialMapping mapping = SpatialMappingOf(t);
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    if (!cluster_.directives[j].IsSpatial()) continue;
    mapping.mapped = true;
    mapping.state = &StateAt(j);
    if (mapping.state->IsEdge()) mapping.edge = true;
  }
  const int64_t num_clusters = cluster_.size;
  if (!mapping.mapped) return num_clusters * PEEgressVolume(t, true, true, false);
  if (!mapping.edge) return num_clusters * PEEgressVolume(t, true, true, false);
  const int64_t edge_clusters = EdgeClusters();
  const bool edge_edge = mapping.state->sp_edge_edge;
  int64_t total = PEEgressVolume(t, true, true, edge_clusters == 1 && edge_edge);
  if (edge_clusters > 1) {
    const int64_t partial = edge_edge ? 1 : 0;
    const int64_t full = std::max<int64_t>(edge_clusters - partial - 1, 0);
    // MAESTRO counts the full sub-clusters as "first" ones and gives the partial one its
    // mapped, not unique, edge outputs (consider_reuse_at_edge false).
    total += full * PEEgressVolume(t, true, true, false);
    if (partial > 0) total += PEEgressVolume(t, true, false, true, /*reuse_at_edge=*/false);
  }
  return total;
}

// docs/maestro_model.md 4.7 (GetMappedVolume, 93-104): the product of the mapped sizes of the
// tensor's variables that have an entry, input-centric for the output tensor (quirk).
int64_t CaseQuantities::MappedVolume(const TensorVars& t) const {
  int64_t volume = 1;
  for (Dim v : t) {
    if (cluster_.mapped.Has(v)) volume *= cluster_.mapped[v];
  }
  return volume;
}

// docs/maestro_model.md 4.8 (ConstructSubClusterDimension, 106-190). The sub-cluster's
// iteration states use these; its own tables stay on its static dimensions (quirk), so a
// partial K tile at the top still costs a full tile of PE work.
DimTable CaseQuantities::SubClusterDimensions(bool sp_edge_edge) const {
  DimTable dims;
  const bool take_edge = EdgeClusters() == 1 || sp_edge_edge;
  for (int j = 0; j < cluster_.directives.size(); ++j) {
    const Directive& directive = cluster_.directives[j];
    const Dim v = directive.var;
    const IterState& state = StateAt(j);
    bool edge_size = false;
    if (directive.IsTemporal()) {
      edge_size = state.IsEdge();
    } else if (state.position == IterPosition::kInit) {
      edge_size = state.IsEdge() && take_edge;
    } else if (state.position == IterPosition::kEdge) {
      edge_size = take_edge;
    }
    dims.Set(v, edge_size ? cluster_.mapped_edge[v] : cluster_.mapped[v]);
  }
  for (const Directive& directive : cluster_.directives) {
    const Dim v = directive.var;
    if (IsReferenceDim(v)) dims.Set(OutputDimOf(v), dims[v] - dims[SlidingDimOf(v)] + 1);
  }
  return dims;
}

}  // namespace tessel::maestro
