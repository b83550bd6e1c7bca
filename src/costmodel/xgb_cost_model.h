// The XGBoost cost model (libxgboost-dev, C API), with AutoTVM's booster defaults. Targets
// are AutoTVM's fitness: the best measured time divided by each time, 0 for failures, so
// "rank:pairwise" learns the order and "reg:squarederror" the normalised speed.
#pragma once

#include <string>

#include "core/rng.h"
#include "costmodel/cost_model.h"

namespace tessel {

class XgbCostModel : public CostModel {
 public:
  enum class Objective { kRank, kRegression };

  struct Options {
    Objective objective = Objective::kRank;
    int max_depth = 3;
    double eta = 0.3;
    double gamma = 1e-4;
    double min_child_weight = 1;
    int max_rounds = 400;
    // Boosting stops after this many rounds without a better ranking of the held-back part.
    int early_stopping_rounds = 25;
    double holdout_fraction = 0.2;  // held back for early stopping when there are >= 20 points
    int threads = 1;
    uint64_t seed = 0;

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  XgbCostModel(const Space& space, const Options& options);
  ~XgbCostModel() override;
  XgbCostModel(const XgbCostModel&) = delete;
  XgbCostModel& operator=(const XgbCostModel&) = delete;

  void Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) override;
  std::vector<double> Predict(const std::vector<Config>& configs) const override;

  // Boosting rounds kept by the last Fit (0 before any).
  int rounds() const { return rounds_; }

 private:
  const Space& space_;
  Options options_;
  void* booster_ = nullptr;  // BoosterHandle; void* keeps XGBoost's header out of ours
  int rounds_ = 0;
};

}  // namespace tessel
