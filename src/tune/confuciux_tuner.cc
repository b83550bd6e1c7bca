#include "tune/confuciux_tuner.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

int ReinforceShare(int planned_evaluations) {
  if (planned_evaluations < 1)
    throw ConfigError(
        "the confuciux tuner gives two thirds of a task's evaluations to its RL agent and the "
        "rest to its GA, so it needs their number; give --trials");
  return std::max(1, planned_evaluations * 2 / 3);
}

// The best ok configuration within the budget; null when there is none.
const Config* BestFeasible(const KnownEvaluations& known, const DecisionSteps& steps) {
  const Config* best = nullptr;
  double best_value = INFINITY;
  for (const Config& config : known.configs()) {
    const Evaluation& evaluation = *known.Find(config);
    if (evaluation.ok() && evaluation.value < best_value &&
        TotalConstraint(steps, evaluation) <= steps.budget) {
      best = &config;
      best_value = evaluation.value;
    }
  }
  return best;
}

// The configuration with the smallest finite total constraint; null when there is none.
const Config* LeastConstrained(const KnownEvaluations& known, const DecisionSteps& steps) {
  const Config* least = nullptr;
  double least_constraint = INFINITY;
  for (const Config& config : known.configs()) {
    const double constraint = TotalConstraint(steps, *known.Find(config));
    if (constraint < least_constraint) {
      least = &config;
      least_constraint = constraint;
    }
  }
  return least;
}

}  // namespace

std::optional<Config> ChooseGaSeed(const KnownEvaluations& known, const DecisionSteps& steps) {
  if (known.size() == 0) return std::nullopt;
  if (const Config* best = BestFeasible(known, steps)) return *best;
  if (const Config* least = LeastConstrained(known, steps)) return *least;
  return known.configs().back();
}

ConfuciuxTuner::ConfuciuxTuner(const Space& space, const DecisionSteps& steps,
                               int planned_evaluations, const Options& options, Rng rng)
    : space_(space),
      steps_(steps),
      options_(options),
      ga_rng_(rng.Fork("ga")),
      reinforce_share_(ReinforceShare(planned_evaluations)),
      reinforce_(space, steps, options.reinforce, rng.Fork("reinforce")) {
  options_.ga.Validate();
}

bool ConfuciuxTuner::StartFineTuning() {
  const KnownEvaluations& known = reinforce_.known();
  const std::optional<Config> seed = ChooseGaSeed(known, steps_);
  if (!seed) return false;
  ga_ = std::make_unique<ConfuciuxGa>(space_, steps_, options_.ga, ga_rng_, *seed,
                                      *known.Find(*seed), known);
  return true;
}

std::vector<Config> ConfuciuxTuner::NextBatch(int max_count) {
  if (!ga_ && reinforce_evaluations_ < reinforce_share_) {
    std::vector<Config> batch = reinforce_.NextBatch(max_count);
    if (!batch.empty()) return batch;
  }
  if (!ga_ && !StartFineTuning()) return {};
  return ga_->NextBatch(max_count);
}

void ConfuciuxTuner::Update(const std::vector<Config>& configs,
                            const std::vector<Evaluation>& results) {
  if (ga_) {
    ga_->Update(configs, results);
    return;
  }
  reinforce_.Update(configs, results);
  reinforce_evaluations_ += static_cast<int>(configs.size());
}

void ConfuciuxTuner::Resume(const std::vector<Config>& configs,
                            const std::vector<Evaluation>& results) {
  reinforce_.Resume(configs, results);
  if (ga_) ga_->Resume(configs, results);
  reinforce_evaluations_ += static_cast<int>(configs.size());
}

}  // namespace tessel
