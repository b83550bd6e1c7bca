// ConfuciuX's whole search (main.py with --alg RL_GA; docs/maestro_model.md 9): its REINFORCE
// agent (reinforce_tuner.h) first, then its GA (confuciux_ga.h) fine-tuning the best the agent
// found. ConfuciuX runs epochs * 2 // 3 RL episodes and then the rest as GA generations; the
// engine's budget is evaluations, so here the agent gets the first planned * 2 / 3 of the
// task's evaluations (at least one) and the GA the rest. Resumed records count towards the
// agent's share, as the task's budget counts them: a run resumed past two thirds goes straight
// to the GA, seeded with the best record. Episodes that land on known configurations cost no
// evaluation and do not count; if the agent's policy collapses onto known configurations
// before its share is spent, the GA starts early.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/rng.h"
#include "engine/decision_steps.h"
#include "tune/confuciux_ga.h"
#include "tune/reinforce_tuner.h"
#include "tune/step_results.h"
#include "tune/strategy.h"

namespace tessel {

// The configuration the GA starts from: the best feasible one known (ok, within the budget);
// when none is feasible, the one with the smallest total constraint among those that report
// every step's share (the GA's budget-aware mutation keeps only tries that shrink it by the
// overshoot, so it can walk back into the budget from there); when none does, the last one
// seen. Ties go to the first seen; nullopt when nothing is known.
std::optional<Config> ChooseGaSeed(const KnownEvaluations& known, const DecisionSteps& steps);

class ConfuciuxTuner : public Strategy {
 public:
  struct Options {
    ReinforceTuner::Options reinforce;
    ConfuciuxGa::Options ga;
  };

  // `planned_evaluations`: the task's evaluations, resumed ones included (--trials); throws
  // ConfigError when it is not positive (the phases are shares of it) or the steps do not fit
  // the space. `steps` must outlive the tuner.
  ConfuciuxTuner(const Space& space, const DecisionSteps& steps, int planned_evaluations,
                 const Options& options, Rng rng);

  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  // The agent's (ReinforceTuner::TakeStats); the GA's fine-tuning reports nothing.
  std::vector<TunerStat> TakeStats() override { return reinforce_.TakeStats(); }

  bool fine_tuning() const { return ga_ != nullptr; }       // the GA has started
  int reinforce_share() const { return reinforce_share_; }  // evaluations for the agent
  int reinforce_evaluations() const { return reinforce_evaluations_; }
  const ReinforceTuner& agent() const { return reinforce_; }
  const ConfuciuxGa* ga() const { return ga_.get(); }

 private:
  // Starts the GA from the agent's best; false when nothing is known to start from.
  bool StartFineTuning();

  const Space& space_;
  const DecisionSteps& steps_;
  Options options_;
  Rng ga_rng_;
  int reinforce_share_;  // before the agent: a bad share throws before the network is built
  ReinforceTuner reinforce_;
  std::unique_ptr<ConfuciuxGa> ga_;
  int reinforce_evaluations_ = 0;
};

}  // namespace tessel
