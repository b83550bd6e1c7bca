#include "tune/step_results.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace tessel {

void CheckDecisionSteps(const DecisionSteps& steps, const Space& space) {
  if (steps.steps.empty()) throw ConfigError("the problem describes no decision steps");
  if (!(steps.budget > 0)) throw ConfigError("the decision steps' budget must be positive");
  const DecisionStep& first = steps.steps.front();
  for (const DecisionStep& step : steps.steps) {
    if (step.knobs.empty() || step.knobs.size() != step.levels.size())
      throw ConfigError("a decision step needs knobs, each with its levels");
    if (step.knobs.size() != first.knobs.size() || step.features.size() != first.features.size())
      throw ConfigError(
          "the decision steps must all set as many knobs and have as many features as the "
          "first");
    for (size_t j = 0; j < step.knobs.size(); ++j) {
      if (step.knobs[j] >= space.num_knobs())
        throw ConfigError("a decision step names a knob outside the space");
      const size_t values = space.knobs()[step.knobs[j]].values.size();
      if (step.levels[j].empty()) throw ConfigError("a decision step's knob has no levels");
      for (int32_t level : step.levels[j])
        if (level < 0 || static_cast<size_t>(level) >= values)
          throw ConfigError("a decision step's level is outside its knob's values");
    }
  }
}

std::optional<double> StepMetric(const Evaluation& evaluation, const std::string& name) {
  const auto found = evaluation.metrics.find(name);
  if (found == evaluation.metrics.end() || !std::isfinite(found->second)) return std::nullopt;
  return found->second;
}

double TotalConstraint(const DecisionSteps& steps, const Evaluation& evaluation) {
  double total = 0;
  for (const DecisionStep& step : steps.steps) {
    if (step.constraint_metric.empty()) continue;
    const std::optional<double> share = StepMetric(evaluation, step.constraint_metric);
    if (!share) return std::numeric_limits<double>::infinity();
    total += *share;
  }
  return total;
}

void KnownEvaluations::Add(const Config& config, const Evaluation& evaluation) {
  if (evaluations_.emplace(config, evaluation).second) order_.push_back(config);
}

const Evaluation* KnownEvaluations::Find(const Config& config) const {
  const auto found = evaluations_.find(config);
  return found == evaluations_.end() ? nullptr : &found->second;
}

}  // namespace tessel
