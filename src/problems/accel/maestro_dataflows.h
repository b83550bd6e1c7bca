// The mapping files ConfuciuX hands MAESTRO (docs/maestro_model.md 1.2): the directive sets
// shi, dla and dpt as data, and their resolution into concrete directives once KTileSz,
// CTileSz, ClusterSz and the layer's sizes (Sz(.)) are known, as MAESTRO's parser does.
#pragma once

#include <cstdint>
#include <span>

#include "problems/accel/layer_table.h"
#include "problems/accel/maestro_dimensions.h"
#include "problems/accel/maestro_model.h"

namespace tessel::maestro {

// A directive of a mapping file: TemporalMap(size, offset) var, SpatialMap(size, offset) var,
// or Cluster(size, P), which closes a cluster level.
enum class DirectiveKind : uint8_t { kTemporalMap, kSpatialMap, kCluster };

// A directive with its sizes known. For kCluster, `size` is the cluster size and `var` is
// meaningless.
struct Directive {
  DirectiveKind kind = DirectiveKind::kTemporalMap;
  Dim var = Dim::kC;
  int64_t size = 1;
  int64_t offset = 1;

  bool IsSpatial() const { return kind == DirectiveKind::kSpatialMap; }
  bool IsTemporal() const { return kind == DirectiveKind::kTemporalMap; }
};

// A size or offset as the mapping file writes it: a number, one of the file's constants, or
// Sz(dim), the layer's size of a dimension.
struct DirectiveAmount {
  enum class Source : uint8_t { kLiteral, kKTileSz, kCTileSz, kClusterSz, kSizeOf };
  Source source = Source::kLiteral;
  int64_t literal = 1;
  Dim dim = Dim::kC;
};

struct MappingDirective {
  DirectiveKind kind;
  Dim var;
  DirectiveAmount size, offset;
};

// The mapping file's constants (docs/maestro_model.md 1.1): ConfuciuX always writes
// CTileSz 1 and ClusterSz P.
struct MappingConstants {
  int64_t ktile_size = 1;
  int64_t ctile_size = 1;
  int64_t cluster_size = 1;
};

enum class DirectiveSetId : uint8_t { kShi, kDla, kDpt };

// docs/maestro_model.md 1.2: depthwise layers always use dpt, whatever the dataflow.
DirectiveSetId DirectiveSetFor(Dataflow dataflow, AccelLayerType type);

// The directive set's mapping-file text, entry by entry.
std::span<const MappingDirective> MappingDirectives(DirectiveSetId set);

inline constexpr int kMaxDataflowEntries = 24;
using ResolvedDataflow = FixedList<Directive, kMaxDataflowEntries>;

// Substitutes the constants and the layer's sizes into the directive set
// (DFSL_parser.hpp states Dataflow_MapSize, Dataflow_MapOffset, Dataflow_ClusterSize).
ResolvedDataflow ResolveDataflow(std::span<const MappingDirective> directives,
                                 const MappingConstants& constants, const DimTable& layer_dims);

}  // namespace tessel::maestro
