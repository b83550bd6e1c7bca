// MAESTRO's iteration states and cases (docs/maestro_model.md 3.3, DFA_iteration-analysis.hpp):
// for a cluster analysed on given case dimensions, each directive has an Init, possibly a
// Steady and possibly an Edge state; a case picks one state per directive, and occurs as many
// times as the product of its states' counts.
#pragma once

#include <array>
#include <cstdint>

#include "problems/accel/maestro_clusters.h"
#include "problems/accel/maestro_dimensions.h"

namespace tessel::maestro {

enum class IterPosition : uint8_t { kInit, kSteady, kEdge };

struct IterState {
  IterPosition position = IterPosition::kInit;
  int64_t occurrences = 1;
  bool unrolled = false;      // Init only: the tile covers the whole dimension
  bool init_edge = false;     // Init only: the tile is larger than the dimension
  bool sp_edge_edge = false;  // SpatialMap only: the last active sub-cluster gets a partial tile

  // IterationState::IsEdge: an Edge state, or an Init that is already an edge.
  bool IsEdge() const { return position == IterPosition::kEdge || init_edge; }
};

// One case: a state per directive of the cluster, in directive order. The states point into
// the IterationCases that made the case, which must outlive it.
struct IterCase {
  std::array<const IterState*, kMaxClusterDirectives> states{};
  int64_t occurrences = 1;
  bool all_init = true;  // IterationStatus::isAllInit
};

class IterationCases {
 public:
  // `case_dims` are the dimensions this analysis of the cluster covers: the layer's at the top,
  // those built by the parent's case below (4.8). The cluster's own tables stay on its static
  // dimensions.
  IterationCases(const ClusterLevel& cluster, const DimTable& case_dims);

  int64_t size() const { return num_cases_; }
  // Case `id` in MAESTRO's order (ConstructIterationStatusTable, quirk: case 0 is all-Init and
  // comes first; the rest is a permutation of the product).
  IterCase operator[](int64_t id) const;

 private:
  using StateList = FixedList<IterState, 3>;
  std::array<StateList, kMaxClusterDirectives> states_{};
  std::array<int64_t, kMaxClusterDirectives> change_frequency_{};
  int num_directives_ = 0;
  int64_t num_cases_ = 1;
};

}  // namespace tessel::maestro
