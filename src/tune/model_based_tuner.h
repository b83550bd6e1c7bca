// AutoTVM's model-based tuner: measure a random initial plan, then after every `plan_size`
// measurements refit the cost model on everything measured and let simulated annealing over
// the model pick the next plan of unvisited configurations, a share `epsilon` of which is
// drawn at random (epsilon-greedy). A configuration is never proposed twice.
#pragma once

#include <unordered_set>

#include "costmodel/xgb_cost_model.h"
#include "search/simulated_annealing.h"
#include "tune/random_tuner.h"
#include "tune/tuner.h"

namespace tessel {

class ModelBasedTuner : public Tuner {
 public:
  struct Options {
    int plan_size = 64;
    double epsilon = 0.05;
    SimulatedAnnealing::Options annealing;
    XgbCostModel::Options model;

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // The space and the featurizer must outlive the tuner.
  ModelBasedTuner(const Space& space, const Featurizer& featurizer, const Options& options,
                  Rng rng);

  // Transfer learning (AutoTVM's load_history): the next NextBatch fits the model's base on
  // other tasks' rows and, when nothing was measured yet, plans with it instead of at random.
  // The fit happens there, so the tuning loop counts its time. Returns false (and changes
  // nothing) when `history` has no rows.
  bool WarmStart(FeatureRows history);

  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs,
              const std::vector<MeasureResult>& results) override;
  double fit_seconds() const override { return fit_seconds_; }

 private:
  void Replan();
  void PlanFromModel();

  const Space& space_;
  Options options_;
  Rng rng_;
  RandomTuner random_;  // the initial plan and the epsilon share
  XgbCostModel model_;
  SimulatedAnnealing annealing_;
  std::vector<Config> plan_;
  size_t plan_next_ = 0;
  std::unordered_set<uint64_t> visited_;
  std::vector<Config> measured_;
  std::vector<double> times_ms_;  // NaN for failures
  int since_fit_ = 0;
  double fit_seconds_ = 0;
  FeatureRows pending_history_;  // given to WarmStart, fitted by the next NextBatch
};

}  // namespace tessel
