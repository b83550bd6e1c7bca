// ConfuciuX's REINFORCE agent ("ConfuciuX: Autonomous Hardware Resource Assignment for DNN
// Accelerators using Reinforcement Learning", Kao, Jeong, Krishna, MICRO 2020), as a direct
// strategy over a problem described as decision steps (engine/decision_steps.h). The precise
// description of ConfuciuX's code is docs/maestro_model.md, sections 9.1 and 9.2.
//
// One episode is one configuration: the steps are visited in an order shuffled every episode,
// and at each step an LSTM policy picks one level per knob; the whole configuration is then
// proposed, evaluated, and its per-step metrics give the episode's rewards, which one
// REINFORCE step learns from. Episodes are sequential, so NextBatch proposes one configuration.
//
// Rewards (env_confx.py get_reward and step): a step's fitness is minus its objective share;
// its reward is the fitness minus the lowest fitness seen so far (over all steps, episodes and
// cached results). The steps' constraint shares add up in episode order; at the step where the
// sum passes the budget the reward becomes -(sum of the earlier rewards) x (used - budget) /
// budget and the episode ends there: later steps get no reward and no part in the loss.
// Deviation: a step whose metrics an (invalid) evaluation lacks makes ConfuciuX compute -inf and
// then NaN weights; here the episode ends at the first such step, in episode order, with the
// same penalty and an overshoot factor of 1, i.e. -(sum of the earlier rewards).
//
// Known configurations (evaluated before, resumed ones included) are never proposed again: an
// episode that samples one learns from its known evaluation (as ConfuciuX learns from its
// result cache) and the agent samples again. After `max_cached_episodes` such episodes in a
// row within one NextBatch, the policy has collapsed onto what it knows and NextBatch returns
// nothing, which the loop reads as exhausted.
//
// Resume only fills the known evaluations: the agent learns nothing from old records, because
// REINFORCE learns from the episodes its own policy sampled (in its shuffled order, with its
// log-probabilities), and an old record has neither.
//
// The network lives in reinforce_tuner.cc only, so LibTorch's headers stay there.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "engine/decision_steps.h"
#include "tune/step_results.h"
#include "tune/strategy.h"

namespace tessel {

// One step of an episode as an evaluation reports it: its share of the objective (minimised)
// and of the budgeted quantity; no objective when the evaluation lacks the step's metrics.
struct StepShare {
  std::optional<double> objective;
  double constraint = 0;
};

// ConfuciuX's per-step rewards. Keeps the lowest fitness seen, across episodes.
class StepRewarder {
 public:
  explicit StepRewarder(double budget) : budget_(budget) {}

  struct Episode {
    std::vector<double> rewards;  // one per step the episode reached, in episode order
    bool succeeded = false;       // every step assigned within the budget, none invalid
  };
  // The rewards of one episode, from its steps' shares in episode order.
  Episode Reward(const std::vector<StepShare>& shares);

  std::optional<double> min_fitness() const { return min_fitness_; }

 private:
  double budget_;
  std::optional<double> min_fitness_;  // unset until the first valid step
};

// REINFORCE's learning targets (rl_confx.py learn): the rewards normalised, discounted
// backwards (R_t = r_t + discount R_{t+1}) and normalised again, with numpy's population
// standard deviation plus 2^-12.
std::vector<double> NormalisedReturns(const std::vector<double>& rewards, double discount);

// What the policy sees at one step (env_confx.py reset and step): the features of a step, the
// actions taken there (each level's value over the knob's largest level) and its position.
struct PolicyInput {
  std::vector<float> features;
  std::vector<float> actions;
  float position = 0;

  // The episode's first input: the first step's features as they are, actions and position 0.
  static PolicyInput First(const DecisionStep& first);
  // The input after assigning `assigned`, the `position`-th of `count` steps (from 0), with
  // actions `fractions`. (quirk) It describes the step just assigned, not the next one, and
  // maps every entry by (x - 0.5) x 2, which the first input skips: ConfuciuX's agent was
  // built and tuned on exactly this view.
  static PolicyInput After(const DecisionStep& assigned, const std::vector<float>& fractions,
                           size_t position, size_t count);
};

class ReinforceTuner : public Strategy {
 public:
  struct Options {
    double learning_rate = 1e-3;  // Adam's, decayed x0.8 every 100 episodes once one succeeded
    double discount = 0.9;
    // The policy's softmax temperature. ConfuciuX divides it by 1.01 every 100 episodes and
    // then raises it back to at least 1: from 1 it never moves, so it is constant here.
    double temperature = 1;
    // Episodes in a row, within one NextBatch, that may land on known configurations before
    // the agent gives up (see above).
    int max_cached_episodes = 2000;

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // `steps` must outlive the tuner. Throws ConfigError when the steps do not fit the space or
  // differ in their levels' counts (the policy has one head per knob position).
  ReinforceTuner(const Space& space, const DecisionSteps& steps, const Options& options, Rng rng);
  ~ReinforceTuner() override;
  ReinforceTuner(const ReinforceTuner&) = delete;
  ReinforceTuner& operator=(const ReinforceTuner&) = delete;

  // One configuration (or none when the policy collapsed onto known configurations).
  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;

  // Every configuration with a known evaluation: resumed, proposed and evaluated, or sampled
  // outside the space's validity rule (recorded as invalid, never proposed).
  const KnownEvaluations& known() const { return known_; }
  // Episodes sampled so far: proposed ones and those that landed on known configurations.
  int episodes() const { return episodes_; }
  // Per episode learned from (step: the episode, from 0, those landing on known
  // configurations included) "reward", its undiscounted total, and "loss", REINFORCE's loss.
  std::vector<TunerStat> TakeStats() override { return std::exchange(stats_, {}); }
  double learning_rate() const;

 private:
  struct Agent;    // the LibTorch policy and optimiser
  struct Episode;  // one sampled configuration, with what learning from it needs

  Episode Sample();
  void DecayLearningRate();
  std::vector<StepShare> Shares(const Episode& episode, const Evaluation& evaluation) const;
  void Learn(Episode& episode, const Evaluation& evaluation);

  const Space& space_;
  const DecisionSteps& steps_;
  Options options_;
  Rng rng_;
  std::unique_ptr<Agent> agent_;
  StepRewarder rewarder_;
  KnownEvaluations known_;
  std::unique_ptr<Episode> pending_;  // proposed, awaiting its evaluation
  int episodes_ = 0;
  std::vector<TunerStat> stats_;  // reported since the last TakeStats
  bool succeeded_ = false;        // some episode assigned every step within the budget
};

}  // namespace tessel
