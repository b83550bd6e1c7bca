// The model's best among uniform draws: `pool` valid configurations drawn uniformly (those
// in `exclude` and repeats dropped), scored by the model, the best `count` of them returned,
// best first (ties in draw order).
//
// Why, rather than a search for the model's maximum: a cost model fitted only on other tasks
// (a prior) ranks the typical configurations of a new task well, but its maximum over the
// whole space tends to lie where its training data say least, and measures slow. On VGG-16,
// with a prior that has none of its layers, the best of the first 8 per layer that simulated
// annealing found on the prior, summed over the network, was 0.95 of the default schedules'
// time; the best 8 of 1,024 uniform draws, 0.74 (medians of 3 seeds;
// bench/tuning_time/README.md, "The prior's first plan").
#pragma once

#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "space/space.h"

namespace tessel {

struct ScreenResult {
  std::vector<Config> best;
  int scored = 0;  // draws the model scored
};

ScreenResult ScreenUniformDraws(const Space& space, const CostModel& model, int pool, int count,
                                const ConfigSet& exclude, Rng& rng);

}  // namespace tessel
