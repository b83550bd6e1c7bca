// AutoTVM's model optimizer: parallel simulated annealing chains over the space, scored in
// batches by the cost model, that return the best-scoring configurations not yet measured.
#pragma once

#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "space/space.h"

namespace tessel {

class SimulatedAnnealing {
 public:
  struct Options {
    int parallel_size = 128;  // chains walked in lockstep, scored as one batch
    int iterations = 500;
    double temperature_start = 1;  // cooled linearly to temperature_end
    double temperature_end = 0;
    int early_stop = 50;             // iterations without a new top candidate end the search
    bool persistent = true;          // chains resume where the last search left them
    bool record_trajectory = false;  // keep every accepted chain position (for sampling)

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // Knob index bounds a chain may not leave: knob k stays within [low[k], high[k]].
  struct Box {
    std::vector<int32_t> low;
    std::vector<int32_t> high;

    bool Contains(const Config& config) const {
      for (size_t k = 0; k < config.size(); ++k)
        if (config[k] < low[k] || config[k] > high[k]) return false;
      return true;
    }
  };

  SimulatedAnnealing(const Space& space, const Options& options, Rng rng);

  // Up to `count` distinct valid configurations with the highest predicted scores found,
  // best first, none of them in `exclude`.
  std::vector<Config> FindMaximums(const CostModel& model, int count, const ConfigSet& exclude);

  // As FindMaximums, but the chains start at `starts` (not the persistent chains) and chain i
  // never leaves boxes[i]: a search confined to neighbourhoods, as BAO's.
  std::vector<Config> FindMaximumsWithin(const CostModel& model, std::vector<Config> starts,
                                         const std::vector<Box>& boxes, int count,
                                         const ConfigSet& exclude);

  // Iterations the last search ran before it converged or ran out (search steps).
  int last_iterations() const { return last_iterations_; }
  // With record_trajectory: the chains' positions after every iteration of the last search.
  const std::vector<Config>& last_trajectory() const { return trajectory_; }

 private:
  // The annealing itself, from `chains` (moved along), chain i confined to (*boxes)[i] when
  // boxes is given.
  std::vector<Config> Anneal(const CostModel& model, std::vector<Config>& chains,
                             const std::vector<Box>* boxes, int count, const ConfigSet& exclude);
  // A copy of `config` with one random knob set to another random value (inside `box`, when
  // given), if that is valid.
  Config RandomWalk(const Config& config, const Box* box);

  const Space& space_;
  Options options_;
  Rng rng_;
  std::vector<Config> chains_;
  int last_iterations_ = 0;
  std::vector<Config> trajectory_;
};

}  // namespace tessel
