// The CostModel role: learns from measured configurations to rank unmeasured ones, so that
// search can explore thousands of candidates per real measurement (AutoTVM's cost model).
#pragma once

#include <optional>
#include <vector>

#include "costmodel/featurizer.h"
#include "space/space.h"

namespace tessel {

// A model's estimate of each configuration's fitness: the best measured time divided by its
// time, so above 1 means faster than anything measured so far; with the standard deviation of
// that estimate.
struct FitnessEstimate {
  std::vector<double> mean;
  std::vector<double> spread;
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Refits on every measurement so far. `times_ms` holds one time per configuration; NaN or
  // infinity marks a failed measurement, which the model learns as the worst cost.
  virtual void Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) = 0;
  // A score per configuration, higher for faster: only the order is meaningful.
  virtual std::vector<double> Predict(const std::vector<Config>& configs) const = 0;
  // For models that learn fitness as a quantity (regression) and know how sure they are (an
  // ensemble): the estimate, which says how much faster a configuration may be. nullopt for
  // models whose scores only order configurations (a ranker).
  virtual std::optional<FitnessEstimate> EstimateFitness(const std::vector<Config>& configs) const {
    (void)configs;
    return std::nullopt;
  }
  // Transfer learning: a base model fitted on other tasks' rows, which later fits start from.
  // Returns false (and changes nothing) when `history` has no rows or the model cannot
  // transfer.
  virtual bool FitBaseModel(const FeatureRows& history) {
    (void)history;
    return false;
  }
};

}  // namespace tessel
