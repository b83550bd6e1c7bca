#include "problems/accel/maestro_clusters.h"

#include <algorithm>

#include "core/error.h"

namespace tessel::maestro {

int FindDirective(const DirectiveList& list, Dim var) {
  for (int i = 0; i < list.size(); ++i) {
    if (list[i].var == var) return i;
  }
  return -1;
}

namespace {

Directive TemporalMap(int64_t size, int64_t offset, Dim var) {
  return {DirectiveKind::kTemporalMap, var, size, offset};
}

// docs/maestro_model.md 2.4 ConvertToInputCentric (DFA_cluster-analysis.hpp:344-368): a list
// that maps the output-centric `output` but not its reference dimension maps the reference
// dimension instead, over the window the output tile needs (size + filter size - 1); the
// offset stays, so consecutive tiles overlap by the filter's halo.
void ConvertToInputCentric(Dim output, Dim reference, Dim sliding, DirectiveList& list) {
  const int output_index = FindDirective(list, output);
  if (output_index < 0 || FindDirective(list, reference) >= 0) return;
  const int sliding_index = FindDirective(list, sliding);
  // MAESTRO would read an uninitialised filter size here; the three directive sets always map
  // the filter dimension in the same list.
  TESSEL_CHECK(sliding_index >= 0) << "a cluster maps an output dimension but not its filter";
  Directive& directive = list[output_index];
  directive.var = reference;
  directive.size = directive.size + list[sliding_index].size - 1;
}

void ConvertToInputCentric(DirectiveList& list) {
  ConvertToInputCentric(Dim::kXOut, Dim::kX, Dim::kS, list);
  ConvertToInputCentric(Dim::kYOut, Dim::kY, Dim::kR, list);
}

// 2.4 InheritMissingDirectives (271-287): a variable the upper cluster maps and this one does
// not keeps the upper tiling, as a TemporalMap put in front (so inherited directives end up
// in reverse order, outermost).
void InheritMissingDirectives(const DirectiveList* upper, DirectiveList& list) {
  if (upper == nullptr) return;
  for (const Directive& directive : *upper) {
    if (FindDirective(list, directive.var) < 0) {
      list.insert_front(TemporalMap(directive.size, directive.offset, directive.var));
    }
  }
}

// 2.4 UnrollMissingDirectives (289-303): an input-tensor variable still unmapped is covered
// whole in one step.
void UnrollMissingDirectives(const TensorSet& tensors, const DimTable& dims, DirectiveList& list) {
  for (Dim var : tensors.sorted_input_vars) {
    if (FindDirective(list, var) < 0 && dims.Has(var)) {
      list.push_back(TemporalMap(dims[var], dims[var], var));
    }
  }
}

// 2.4 ConstructLowerClusterDimensionTable (323-342): a sub-cluster sees at most one tile of
// each input-tensor variable. It has no X' or Y' entry.
DimTable LowerClusterDimensions(const TensorSet& tensors, const DimTable& dims,
                                const DirectiveList& list) {
  DimTable lower;
  for (Dim var : tensors.sorted_input_vars) {
    const int index = FindDirective(list, var);
    TESSEL_CHECK(index >= 0) << "an input-tensor variable has no directive after unrolling";
    lower.Set(var, std::min(list[index].size, dims[var]));
  }
  return lower;
}

// docs/maestro_model.md 3.1 (ClusterUnit::AnalyzeSpatialEdgeCase, DFA_cluster-unit.hpp:
// 610-700). Quirk: computed once from the static dimensions and used for every case, also when
// a case's actual tile is smaller.
int64_t SpatialEdgeClusters(const ClusterLevel& cluster) {
  const Directive& spatial = cluster.SpatialDirective();
  const int64_t z = cluster.static_dims[spatial.var];
  const int64_t m = spatial.size;
  const int64_t o = spatial.offset;
  const int64_t c = cluster.size;
  int64_t edge = 1;
  if (z > o * (c - 1) + m) {
    const int64_t steady = TruncDiv(TruncDiv(z - m, o) + 1, c) - 1;
    const int64_t remaining = z - (steady + 1) * o * c;
    edge = remaining < m ? 1 : TruncDiv(remaining - m, o) + 1;
  } else if (z > m) {
    edge = TruncDiv(z - m, o) + 1;
    if (o * (edge - 1) + m < z) ++edge;
  }
  return z <= m ? 1 : edge;
}

// docs/maestro_model.md 3.2, first loop (AnalyzeInputMappingSizes,
// CA_reuse-analysis.hpp:1595-1637).
void AnalyzeInputMappingSizes(ClusterLevel& cluster) {
  for (const Directive& directive : cluster.directives) {
    const Dim var = directive.var;
    const int64_t z = cluster.static_dims[var];
    const int64_t m = directive.size;
    const int64_t o = directive.offset;
    const int64_t steady = std::max<int64_t>(TruncDiv(z - m, o), 0);
    // The second test catches an init edge: a tile larger than the dimension.
    const bool has_edge = steady * o + m < z || m > z;
    cluster.mapped.Set(var, m);
    // A temporal map that covers its dimension in one step brings nothing new in later steps.
    cluster.unique.Set(var, directive.IsTemporal() && z <= m ? 0 : std::min(m, o));
    int64_t edge_size = z - (steady + 1) * o;
    if (edge_size < 0) edge_size = z;
    cluster.mapped_edge.Set(var, has_edge ? edge_size : m);
    cluster.unique_edge.Set(var, std::max<int64_t>(o - (m - edge_size), 0));
  }
}

// docs/maestro_model.md 3.2, second loop (AnalyzeOutputMappingSizes, 1640-1665): the output
// sizes of a reference dimension's tile. Quirk: for P <= X < P + S - 1 (shi) ME[X'] comes out
// zero or negative, which later makes every case skip (5.6).
void AnalyzeOutputMappingSizes(ClusterLevel& cluster) {
  for (const Directive& directive : cluster.directives) {
    if (!IsReferenceDim(directive.var)) continue;
    const Dim var = directive.var;
    const Dim sliding = SlidingDimOf(var);
    const Dim output = OutputDimOf(var);
    cluster.mapped.Set(output, cluster.mapped[var] - cluster.mapped[sliding] + 1);
    cluster.unique.Set(output, std::min(directive.offset, directive.size));
    const int64_t output_edge = cluster.mapped_edge[var] - cluster.mapped_edge[sliding] + 1;
    cluster.mapped_edge.Set(output, output_edge);
    cluster.unique_edge.Set(output, std::min(directive.offset, output_edge));
  }
}

// Indexes the directives by variable and finds the first SpatialMap (AnalyzeSpatialMapIdx).
void IndexDirectives(ClusterLevel& cluster) {
  cluster.directive_of.fill(-1);
  for (int i = 0; i < cluster.directives.size(); ++i) {
    const Directive& directive = cluster.directives[i];
    // MAESTRO keys iteration states by variable name (IterationStatus::AddIterState), so a
    // variable mapped twice in one cluster would lose a state; the directive sets never do it.
    TESSEL_CHECK(cluster.directive_of[DimIndex(directive.var)] < 0)
        << "a cluster maps a variable twice";
    cluster.directive_of[DimIndex(directive.var)] = static_cast<int8_t>(i);
    if (directive.IsSpatial() && cluster.spatial_index < 0) cluster.spatial_index = i;
  }
  // MAESTRO stops with NoSpatialMap for a cluster without one.
  TESSEL_CHECK(cluster.spatial_index >= 0) << "a cluster level has no SpatialMap";
}

ClusterLevel MakeClusterLevel(int64_t size, const DirectiveList& directives,
                              const DimTable& static_dims) {
  ClusterLevel cluster;
  cluster.size = size;
  cluster.directives = directives;
  cluster.static_dims = static_dims;
  IndexDirectives(cluster);
  cluster.edge_clusters = SpatialEdgeClusters(cluster);
  AnalyzeInputMappingSizes(cluster);
  AnalyzeOutputMappingSizes(cluster);
  return cluster;
}

}  // namespace

ClusterStack BuildClusters(const ResolvedDataflow& dataflow, const DimTable& layer_dims,
                           int64_t num_pes, const TensorSet& tensors) {
  // AnalyzeClusterStructure (210-231): the unit size is the product of the Cluster sizes, and
  // a final Cluster of the last size (or of all PEs, when there is none) closes the innermost
  // level.
  int64_t unit_size = 1;
  int64_t last_cluster_size = num_pes;
  int num_cluster_directives = 0;
  for (const Directive& directive : dataflow) {
    if (directive.kind != DirectiveKind::kCluster) continue;
    unit_size *= directive.size;
    last_cluster_size = directive.size;
    ++num_cluster_directives;
  }
  ResolvedDataflow entries = dataflow;
  entries.push_back({DirectiveKind::kCluster, Dim::kC, last_cluster_size, 1});

  // 167-174: the top level holds num_unit_clusters / unit_size sub-clusters (PEs are
  // normalised to a multiple of the unit size); each lower level the size of the Cluster
  // directive that opened it.
  const int64_t num_unit_clusters = unit_size * TruncDiv(num_pes, unit_size);
  ClusterStack clusters;
  int64_t lower_level_size = num_unit_clusters;
  DimTable dims = layer_dims;
  DirectiveList current;
  for (const Directive& entry : entries) {
    if (entry.kind != DirectiveKind::kCluster) {
      current.push_back(entry);
      continue;
    }
    ConvertToInputCentric(current);
    InheritMissingDirectives(clusters.empty() ? nullptr : &clusters.back().directives, current);
    UnrollMissingDirectives(tensors, dims, current);
    // (ApplyOuterStride does nothing at stride 1.)
    const bool is_top = clusters.empty();
    const int64_t size = is_top ? TruncDiv(num_unit_clusters, unit_size) : lower_level_size;
    clusters.push_back(MakeClusterLevel(size, current, dims));
    lower_level_size = entry.size;
    dims = LowerClusterDimensions(tensors, dims, current);
    current = DirectiveList();
  }
  TESSEL_CHECK(clusters.size() == num_cluster_directives + 1) << "cluster levels miscounted";
  return clusters;
}

}  // namespace tessel::maestro
