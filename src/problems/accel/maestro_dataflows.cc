#include "problems/accel/maestro_dataflows.h"

#include "core/error.h"

namespace tessel::maestro {
namespace {

using Source = DirectiveAmount::Source;

constexpr DirectiveAmount Literal(int64_t value) { return {Source::kLiteral, value, Dim::kC}; }
constexpr DirectiveAmount KTileSz() { return {Source::kKTileSz, 0, Dim::kC}; }
constexpr DirectiveAmount CTileSz() { return {Source::kCTileSz, 0, Dim::kC}; }
constexpr DirectiveAmount ClusterSz() { return {Source::kClusterSz, 0, Dim::kC}; }
constexpr DirectiveAmount SizeOf(Dim dim) { return {Source::kSizeOf, 0, dim}; }

constexpr MappingDirective Temporal(DirectiveAmount size, DirectiveAmount offset, Dim var) {
  return {DirectiveKind::kTemporalMap, var, size, offset};
}
constexpr MappingDirective Spatial(DirectiveAmount size, DirectiveAmount offset, Dim var) {
  return {DirectiveKind::kSpatialMap, var, size, offset};
}
// Cluster(size, P): the second argument (physical) changes nothing in MAESTRO's analysis.
constexpr MappingDirective Cluster(DirectiveAmount size) {
  return {DirectiveKind::kCluster, Dim::kC, size, Literal(1)};
}

// ConfuciuX's data/dataflow/shi.m (docs/maestro_model.md 1.2): ShiDianNao-like, output
// stationary.
constexpr MappingDirective kShi[] = {
    Temporal(KTileSz(), KTileSz(), Dim::kK),
    Spatial(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kYOut),
    Temporal(ClusterSz(), ClusterSz(), Dim::kXOut),
    Temporal(CTileSz(), CTileSz(), Dim::kC),
    Temporal(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kR),
    Temporal(SizeOf(Dim::kS), SizeOf(Dim::kS), Dim::kS),
    Cluster(ClusterSz()),
    Temporal(Literal(1), Literal(1), Dim::kC),
    Temporal(Literal(1), Literal(1), Dim::kYOut),
    Spatial(Literal(1), Literal(1), Dim::kXOut),
    Temporal(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kR),
    Temporal(SizeOf(Dim::kS), SizeOf(Dim::kS), Dim::kS),
};

// data/dataflow/dla.m: NVDLA-like, weight stationary.
constexpr MappingDirective kDla[] = {
    Spatial(KTileSz(), KTileSz(), Dim::kK),
    Temporal(ClusterSz(), ClusterSz(), Dim::kC),
    Temporal(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kR),
    Temporal(SizeOf(Dim::kS), SizeOf(Dim::kS), Dim::kS),
    Temporal(SizeOf(Dim::kR), Literal(1), Dim::kY),
    Temporal(SizeOf(Dim::kS), Literal(1), Dim::kX),
    Cluster(ClusterSz()),
    Spatial(Literal(1), Literal(1), Dim::kC),
    Temporal(SizeOf(Dim::kR), Literal(1), Dim::kY),
    Temporal(SizeOf(Dim::kS), Literal(1), Dim::kX),
    Temporal(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kR),
    Temporal(SizeOf(Dim::kS), SizeOf(Dim::kS), Dim::kS),
};

// data/dataflow/dpt.m: depthwise layers; a single cluster level of P PEs.
constexpr MappingDirective kDpt[] = {
    Spatial(KTileSz(), KTileSz(), Dim::kC),
    Temporal(SizeOf(Dim::kR), Literal(1), Dim::kY),
    Temporal(SizeOf(Dim::kS), Literal(1), Dim::kX),
    Temporal(SizeOf(Dim::kR), SizeOf(Dim::kR), Dim::kR),
    Temporal(SizeOf(Dim::kS), SizeOf(Dim::kS), Dim::kS),
};

int64_t Resolve(const DirectiveAmount& amount, const MappingConstants& constants,
                const DimTable& layer_dims) {
  switch (amount.source) {
    case Source::kLiteral:
      return amount.literal;
    case Source::kKTileSz:
      return constants.ktile_size;
    case Source::kCTileSz:
      return constants.ctile_size;
    case Source::kClusterSz:
      return constants.cluster_size;
    case Source::kSizeOf:
      return layer_dims[amount.dim];
  }
  return amount.literal;
}

}  // namespace

DirectiveSetId DirectiveSetFor(Dataflow dataflow, AccelLayerType type) {
  if (type == AccelLayerType::kDepthwise) return DirectiveSetId::kDpt;
  return dataflow == Dataflow::kDla ? DirectiveSetId::kDla : DirectiveSetId::kShi;
}

std::span<const MappingDirective> MappingDirectives(DirectiveSetId set) {
  switch (set) {
    case DirectiveSetId::kShi:
      return kShi;
    case DirectiveSetId::kDla:
      return kDla;
    case DirectiveSetId::kDpt:
      break;
  }
  return kDpt;
}

ResolvedDataflow ResolveDataflow(std::span<const MappingDirective> directives,
                                 const MappingConstants& constants, const DimTable& layer_dims) {
  ResolvedDataflow resolved;
  for (const MappingDirective& directive : directives) {
    resolved.push_back({directive.kind, directive.var,
                        Resolve(directive.size, constants, layer_dims),
                        Resolve(directive.offset, constants, layer_dims)});
  }
  return resolved;
}

}  // namespace tessel::maestro
