// What the strategies that work step by step (ConfuciuX's REINFORCE agent and its GA) share:
// reading a decision-step problem's per-step metrics out of an evaluation, checking the
// problem's steps against its space, and the memory of what was evaluated (ConfuciuX's result
// cache, here over whole configurations), so that a known configuration is never proposed
// again and still teaches the agent.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/decision_steps.h"
#include "engine/evaluation.h"
#include "space/space.h"

namespace tessel {

// Throws ConfigError when the steps do not fit the space: no steps, a step without knobs, a knob
// or level outside the space, steps that set different numbers of knobs (the agent's network
// and the GA's genes are per knob position) or describe themselves with different numbers of
// features, or a budget that is not positive.
void CheckDecisionSteps(const DecisionSteps& steps, const Space& space);

// The metric `name` of `evaluation`; nullopt when it is missing or not finite, which is how an
// invalid evaluation marks the steps that made it invalid.
std::optional<double> StepMetric(const Evaluation& evaluation, const std::string& name);

// The sum of the steps' constraint metrics: 0 when the problem budgets nothing, infinity when a
// step lacks its share (ConfuciuX gives an invalid network the constraint infinity).
double TotalConstraint(const DecisionSteps& steps, const Evaluation& evaluation);

// Configurations with their evaluations, in the order they were first seen (so that choices
// among them do not depend on hashing).
class KnownEvaluations {
 public:
  // Keeps the first evaluation of a configuration.
  void Add(const Config& config, const Evaluation& evaluation);
  // Null when the configuration was never evaluated.
  const Evaluation* Find(const Config& config) const;
  const std::vector<Config>& configs() const { return order_; }
  size_t size() const { return order_.size(); }

 private:
  std::unordered_map<Config, Evaluation, ConfigHash> evaluations_;
  std::vector<Config> order_;
};

}  // namespace tessel
