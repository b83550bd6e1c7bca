// The XGBoost cost model (libxgboost-dev, C API), with AutoTVM's booster defaults. Targets
// are AutoTVM's fitness: the best measured time divided by each time, 0 for failures, so
// "rank:pairwise" learns the order and "reg:squarederror" the normalised speed.
//
// Transfer learning follows AutoTVM's load_history: a base model fitted on other tasks'
// records (each task's fitness normalised by its own best) ranks configurations before the
// task has measurements of its own; afterwards each fit learns on top of the base model's
// margin, discounted by 1 / 2^(measurements / 64), and drops it once the discount is below 0.05.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "costmodel/featurizer.h"

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
    double holdout_fraction = 0.2;  // held back for early stopping (see kMinRowsToHoldOut)
    int threads = 1;
    uint64_t seed = 0;

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // The featurizer must outlive the model.
  XgbCostModel(const Featurizer& featurizer, const Options& options);
  ~XgbCostModel() override;
  XgbCostModel(const XgbCostModel&) = delete;
  XgbCostModel& operator=(const XgbCostModel&) = delete;

  void Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) override;
  std::vector<double> Predict(const std::vector<Config>& configs) const override;

  // Fit and Predict on feature rows (from this model's featurizer), for callers that featurize
  // once for several models. FitFeatures trains on the rows listed in `train` (repeats allowed,
  // as in a bootstrap resample) and stops boosting by the ranking of `held` (none: a quarter
  // of max_rounds); the fitness of every row comes from all of `times_ms`.
  void FitFeatures(const std::vector<std::vector<float>>& features,
                   const std::vector<double>& times_ms, const std::vector<size_t>& train,
                   const std::vector<size_t>& held);
  std::vector<double> PredictFeatures(const std::vector<std::vector<float>>& rows) const;
  // Fit holds back holdout_fraction of the rows only from this many measurements on.
  static constexpr size_t kMinRowsToHoldOut = 20;

  // Fits the base model on other tasks' rows (features from this model's kind of featurizer).
  // Returns false, keeping no base model, when there are no rows. A base model is a function
  // of its rows and the boosting options alone (its seed is fixed), and is kept for the
  // process: the tasks of one template in a prior, and an ensemble's members, share one fit.
  bool FitBaseModel(const FeatureRows& history) override;
  bool has_base_model() const { return base_ != nullptr; }

  // Boosting rounds kept by the last Fit (0 before any).
  int rounds() const;

  class Booster;  // the XGBoost handle with its rounds, private to the implementation

 private:
  double BaseDiscount() const;

  const Featurizer& featurizer_;
  Options options_;
  std::unique_ptr<Booster> booster_;
  std::shared_ptr<const Booster> base_;  // shared: see FitBaseModel
  size_t fitted_size_ = 0;               // measurements of the task in the last Fit
};

// Fitness as the model learns it: best / time per row, 0 for failures (NaN, inf, <= 0).
std::vector<float> Fitness(const std::vector<double>& times_ms);

}  // namespace tessel
