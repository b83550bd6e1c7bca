#include "problems/accel/maestro_iteration.h"

namespace tessel::maestro {
namespace {

using StateList = FixedList<IterState, 3>;

// docs/maestro_model.md 3.3, TemporalMap (DFA_iteration-analysis.hpp:88-118): one first tile,
// `steady` full tiles after it, and a last partial tile when the tiles do not end on the
// dimension's end (unless the first tile already overran it).
StateList TemporalStates(int64_t z, int64_t m, int64_t o) {
  StateList states;
  const bool init_edge = z < m;
  states.push_back({IterPosition::kInit, 1, z <= m, init_edge, false});
  const int64_t steady = TruncDiv(z - m, o);
  if (m < z && steady > 0) states.push_back({IterPosition::kSteady, steady, false, false, false});
  if (!init_edge && steady * o + m < z) {
    states.push_back({IterPosition::kEdge, 1, false, false, false});
  }
  return states;
}

// 3.3, SpatialMap (119-195) over `c` sub-clusters: a step covers m + o*(c-1); the Edge step's
// sp-edge-edge flag says its last active sub-cluster gets a partial tile. The Init state's
// flag is simply its init-edge flag (MAESTRO's refined test is commented out).
StateList SpatialStates(int64_t z, int64_t m, int64_t o, int64_t c) {
  StateList states;
  const int64_t coverage = m + o * (c - 1);
  const bool unrolled = z <= coverage;
  const bool init_edge = z < coverage;
  states.push_back({IterPosition::kInit, 1, unrolled, init_edge, init_edge});
  const int64_t steady = TruncDiv(TruncDiv(z - m, o) + 1, c) - 1;
  if (coverage < z && steady > 0) {
    states.push_back({IterPosition::kSteady, steady, false, false, false});
  }
  const int64_t remaining = z - (steady + 1) * o * c;
  const int64_t active = remaining < m ? 1 : TruncDiv(remaining - m, o) + 1;
  const bool edge_edge = (active - 1) * o + m < remaining;
  const bool has_edge =
      !unrolled && (steady + 1) * o * c + coverage > z && steady * o * c + coverage != z;
  if (!init_edge && has_edge) states.push_back({IterPosition::kEdge, 1, false, false, edge_edge});
  return states;
}

}  // namespace

IterationCases::IterationCases(const ClusterLevel& cluster, const DimTable& case_dims) {
  num_directives_ = cluster.directives.size();
  for (int i = 0; i < num_directives_; ++i) {
    const Directive& directive = cluster.directives[i];
    const int64_t z = case_dims[directive.var];
    states_[i] = directive.IsSpatial()
                     ? SpatialStates(z, directive.size, directive.offset, cluster.size)
                     : TemporalStates(z, directive.size, directive.offset);
  }
  // The innermost directive changes state fastest: f_i = n_{i+1} * ... * n_last.
  for (int i = num_directives_ - 1; i >= 0; --i) {
    change_frequency_[i] = num_cases_;
    num_cases_ *= states_[i].size();
  }
}

IterCase IterationCases::operator[](int64_t id) const {
  // ConstructIterationStatusTable (200-255): every directive's counter starts at 0 and advances
  // after case c when c % f_i == 0 (quirk: also after case 0), so case c > 0 uses state
  // (floor((c-1)/f_i) + 1) mod n_i.
  IterCase result;
  for (int i = 0; i < num_directives_; ++i) {
    const int64_t num_states = states_[i].size();
    const int64_t index = id == 0 ? 0 : (TruncDiv(id - 1, change_frequency_[i]) + 1) % num_states;
    const IterState& state = states_[i][static_cast<int>(index)];
    result.states[i] = &state;
    result.occurrences *= state.occurrences;
    if (state.position != IterPosition::kInit) result.all_init = false;
  }
  return result;
}

}  // namespace tessel::maestro
