// What a strategy has measured so far, in order, and the questions strategies ask of it: the
// best value, and the best configurations (the model-based searches' starts and centres, the
// genetic algorithm's parents).
#pragma once

#include <cstddef>
#include <vector>

#include "space/space.h"

namespace tessel {

// What has been measured so far, in order; values NaN for failures.
struct MeasuredHistory {
  const std::vector<Config>& configs;
  const std::vector<double>& values;

  double Best() const;  // NaN while nothing worked
  // The configurations that worked, best first (ties in measurement order), at most `count`.
  std::vector<Config> BestConfigs(size_t count) const;
};

}  // namespace tessel
