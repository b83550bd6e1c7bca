#include "costmodel/bootstrap_ensemble.h"

#include <cmath>

#include "core/error.h"

namespace tessel {

void BootstrapEnsemble::Options::Validate() const {
  if (members < 1) throw ConfigError("the bootstrap ensemble needs at least one member");
  if (!(spread_weight >= 0 && std::isfinite(spread_weight)))
    throw ConfigError("the ensemble's spread weight must be a number >= 0");
  model.Validate();
}

BootstrapEnsemble::BootstrapEnsemble(const Featurizer& featurizer, const Options& options, Rng rng)
    : featurizer_(featurizer), options_(options), rng_(std::move(rng)) {
  options_.Validate();
  for (int member = 0; member < options_.members; ++member) {
    XgbCostModel::Options model = options_.model;
    model.seed = rng_.Fork("member", static_cast<uint64_t>(member)).seed();
    members_.push_back(std::make_unique<XgbCostModel>(featurizer_, model));
  }
}

void BootstrapEnsemble::Fit(const std::vector<Config>& configs,
                            const std::vector<double>& times_ms) {
  TESSEL_CHECK(configs.size() == times_ms.size()) << "one time per configuration";
  const std::vector<std::vector<float>> features = FeatureRowsOf(featurizer_, configs);
  const size_t n = configs.size();
  const bool regression = options_.model.objective == XgbCostModel::Objective::kRegression;
  const std::vector<float> fitness = regression ? Fitness(times_ms) : std::vector<float>();
  double squared_error = 0;
  size_t errors = 0;
  for (size_t member = 0; member < members_.size(); ++member) {
    // Each fit gets fresh resamples; the stream depends only on the seed and the fit's number.
    Rng draws = rng_.Fork("resample", static_cast<uint64_t>(fits_) * members_.size() + member);
    std::vector<size_t> train;
    std::vector<bool> drawn(n, false);
    train.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t row = static_cast<size_t>(draws.UniformInt(0, static_cast<int64_t>(n) - 1));
      train.push_back(row);
      drawn[row] = true;
    }
    std::vector<size_t> out_of_bag;
    for (size_t row = 0; row < n; ++row)
      if (!drawn[row]) out_of_bag.push_back(row);
    // Early stopping needs enough held-back rows to mean something.
    members_[member]->FitFeatures(
        features, times_ms, train,
        n >= XgbCostModel::kMinRowsToHoldOut ? out_of_bag : std::vector<size_t>());
    if (!regression) continue;
    // The rows this member never saw show how far off it is where it matters: among the
    // configurations within 2x of the best.
    std::vector<std::vector<float>> held;
    std::vector<float> held_fitness;
    for (size_t row : out_of_bag)
      if (fitness[row] >= 0.5f) {
        held.push_back(features[row]);
        held_fitness.push_back(fitness[row]);
      }
    const std::vector<double> predicted = members_[member]->PredictFeatures(held);
    for (size_t i = 0; i < predicted.size(); ++i) {
      squared_error += (predicted[i] - held_fitness[i]) * (predicted[i] - held_fitness[i]);
      ++errors;
    }
  }
  held_out_error_ = errors > 0 ? std::sqrt(squared_error / errors) : 0;
  ++fits_;
}

FitnessEstimate BootstrapEnsemble::PredictWithSpread(const std::vector<Config>& configs) const {
  const std::vector<std::vector<float>> rows = FeatureRowsOf(featurizer_, configs);
  FitnessEstimate scores{std::vector<double>(configs.size(), 0.0),
                         std::vector<double>(configs.size(), 0.0)};
  std::vector<double> squares(configs.size(), 0.0);
  for (const auto& member : members_) {
    const std::vector<double> predicted = member->PredictFeatures(rows);
    for (size_t i = 0; i < predicted.size(); ++i) {
      scores.mean[i] += predicted[i];
      squares[i] += predicted[i] * predicted[i];
    }
  }
  const double count = static_cast<double>(members_.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    scores.mean[i] /= count;
    scores.spread[i] =
        std::sqrt(std::max(0.0, squares[i] / count - scores.mean[i] * scores.mean[i]));
  }
  return scores;
}

std::optional<FitnessEstimate> BootstrapEnsemble::EstimateFitness(
    const std::vector<Config>& configs) const {
  if (options_.model.objective != XgbCostModel::Objective::kRegression) return std::nullopt;
  FitnessEstimate estimate = PredictWithSpread(configs);
  for (double& spread : estimate.spread)
    spread = std::sqrt(spread * spread + held_out_error_ * held_out_error_);
  return estimate;
}

std::vector<double> BootstrapEnsemble::Predict(const std::vector<Config>& configs) const {
  FitnessEstimate scores = PredictWithSpread(configs);
  if (options_.spread_weight > 0)
    for (size_t i = 0; i < configs.size(); ++i)
      scores.mean[i] += options_.spread_weight * scores.spread[i];
  return scores.mean;
}

bool BootstrapEnsemble::FitBaseModel(const FeatureRows& history) {
  bool fitted = false;
  for (auto& member : members_) fitted = member->FitBaseModel(history);
  return fitted;
}

}  // namespace tessel
