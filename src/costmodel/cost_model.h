// The CostModel role: learns from measured configurations to rank unmeasured ones, so that
// search can explore thousands of candidates per real measurement (AutoTVM's cost model).
#pragma once

#include <vector>

#include "costmodel/featurizer.h"
#include "space/space.h"

namespace tessel {

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Refits on every measurement so far. `times_ms` holds one time per configuration; NaN or
  // infinity marks a failed measurement, which the model learns as the worst cost.
  virtual void Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) = 0;
  // A score per configuration, higher for faster: only the order is meaningful.
  virtual std::vector<double> Predict(const std::vector<Config>& configs) const = 0;
  // Transfer learning: a base model fitted on other tasks' rows, which later fits start from.
  // Returns false (and changes nothing) when `history` has no rows or the model cannot
  // transfer.
  virtual bool FitBaseModel(const FeatureRows& history) {
    (void)history;
    return false;
  }
};

}  // namespace tessel
