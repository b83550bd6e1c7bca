// BAO's evaluation function ("Deep Neural Network Hardware Deployment Optimization via Advanced
// Active Learning"): a bootstrap ensemble of XGBoost cost models, each fitted on its own resample
// (with replacement) of the measured set, with the rows its resample left out held back for early
// stopping. The ensemble scores a configuration by the members' mean (the paper sums them: the same
// order) and exposes their spread, which says where the measurements do not yet pin the model down.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "costmodel/featurizer.h"
#include "costmodel/xgb_cost_model.h"

namespace tessel {

class BootstrapEnsemble : public CostModel {
 public:
  struct Options {
    int members = 8;
    // Predict returns mean + spread_weight * spread: 0 is the paper's evaluation function; a
    // positive weight favours configurations the members disagree on (optimism under doubt).
    double spread_weight = 0;
    XgbCostModel::Options model;  // each member's; the seeds are drawn from the ensemble's Rng

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // The featurizer must outlive the ensemble. All resampling draws from `rng`.
  BootstrapEnsemble(const Featurizer& featurizer, const Options& options, Rng rng);

  void Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) override;
  // The members' mean score, plus spread_weight times their spread.
  std::vector<double> Predict(const std::vector<Config>& configs) const override;

  // The members' mean score and their spread (standard deviation).
  FitnessEstimate PredictWithSpread(const std::vector<Config>& configs) const;
  // When the members regress fitness (XgbCostModel::Objective::kRegression): their mean, and
  // an uncertainty that adds to their disagreement how far off they were, at the last fit, on
  // the configurations within 2x of the best that their resamples left out (trees never
  // predict beyond the fitness they were shown, so disagreement alone is too sure near the
  // top). nullopt for ranking members.
  std::optional<FitnessEstimate> EstimateFitness(const std::vector<Config>& configs) const override;

  // Transfer learning: every member gets the base model (see XgbCostModel::FitBaseModel).
  bool FitBaseModel(const FeatureRows& history) override;

  int members() const { return static_cast<int>(members_.size()); }

 private:
  const Featurizer& featurizer_;
  Options options_;
  Rng rng_;
  std::vector<std::unique_ptr<XgbCostModel>> members_;
  int fits_ = 0;
  double held_out_error_ = 0;  // regression: the members' root mean square error out of bag
};

}  // namespace tessel
