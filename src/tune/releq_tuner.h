// ReLeQ's agent ("ReLeQ: A Reinforcement Learning Approach for Deep Quantization of Neural
// Networks", Elthakeb, Pilligundla, Mireshghallah, Yazdanbakhsh, Esmaeilzadeh), as a direct
// strategy over a problem described as decision steps (engine/decision_steps.h) that reports
// ReLeQ's two states: the accuracy state (quality_state_metric: accuracy over the float
// network's) and the quantization state (cost_state_metric: the layers' bits weighted by their
// cost, over every layer at the most bits). docs/tuners.md, section releq, says what the paper
// and its public code do and where this differs.
//
// An episode walks the steps (layers) in order, from every layer at its largest level (8 bits).
// At each step a PPO agent with LSTM policy and value networks sees the layer (its features:
// index, size, weight spread), its current bits and the network's two states, and picks the
// layer's bits (the flexible action space: any level; or the stepwise one: one level down, stay,
// one level up). The configuration after that change is evaluated; its two states give the
// step's shaped reward and the next step's state. So NextBatch proposes one configuration, the
// step's; a configuration evaluated before (resumed ones included) is never proposed again, and
// the step learns from its known evaluation and the episode goes on within the same call.
//
// Reward (ReLeQ's shaping): 1 - Qst^a, times max(Accst, th)^(q / max(Accst, th)); an accuracy
// state under th gives -1 and ends the episode. An evaluation without the two states (failed,
// invalid) gives -1 and ends the episode too; an infeasible one with its states is rewarded by
// them (the threshold already punishes lost accuracy). After `episodes_per_update` episodes the
// agent takes `epochs` passes of PPO's clipped surrogate over all their steps, with advantages by
// generalised advantage estimation (GAE).
//
// After `max_known_steps` steps in a row within one NextBatch that land on known configurations,
// the policy has collapsed onto what it knows and NextBatch returns nothing, which the loop reads
// as exhausted. Resume only fills the known evaluations: PPO learns from the steps its own policy
// took, and an old record is not one.
//
// The network lives in releq_tuner.cc only, so LibTorch's headers stay there.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "engine/decision_steps.h"
#include "tune/step_results.h"
#include "tune/strategy.h"

namespace tessel {

class ReleqTuner : public Strategy {
 public:
  // flexible: one action per level (any bitwidth at every step; the paper's choice).
  // stepwise: one level down, stay, one level up (the public code's perform_action).
  enum class ActionSpace { kFlexible, kStepwise };
  // paper: the slides' formula as it stands. code: the public code's, which measures the
  // quantization state from its least possible value (x = Qst - min bits / max bits) and maps
  // the shaped reward r onto [-1, 1] as 2 (r - 0.5).
  enum class Shaping { kPaper, kCode };

  struct Options {
    // PPO. clip, vcoef, hidden and temperature are the public code's; epochs is PPO's own
    // ("Proximal Policy Optimization Algorithms", its Atari setting), where the code takes one
    // gradient step on one sampled transition; lr and entropy are ten times the code's 1e-4
    // and 0.01, with which the agent learned in about 600 episodes what these learn in 200
    // (docs/tuners.md, releq).
    double learning_rate = 1e-3;  // Adam's (epsilon 1e-5, as the code's)
    double clip = 0.3;
    int epochs = 3;
    double discount = 0.9;  // the LeNet and SVHN scripts'; CIFAR-10's is 0.999
    double gae_lambda = 1;  // the code's advantages: lambda 1
    double value_coefficient = 1;
    double entropy_coefficient = 0.1;
    int hidden = 128;          // the LSTMs' width and the heads'
    double temperature = 0.5;  // the policy's logits are divided by it
    int episodes_per_update = 1;
    // The reward (the LeNet script's constants; CIFAR-10's and SVHN's: a 0.8, q 1, th 0.1).
    double a = 0.6;
    double q = 3;
    double threshold = 0.8;
    Shaping shaping = Shaping::kPaper;
    // The episode.
    ActionSpace actions = ActionSpace::kFlexible;
    // Start every episode where the last one ended (the code's, which never resets the bits)
    // instead of from every layer at its largest level.
    bool carry = false;
    bool end_below_threshold = true;  // the slides'; the code rewards -1 and goes on
    int max_known_steps = 2000;

    void Validate() const;  // throws tessel::Error naming the offending option
    // Sets options from "key=value,..." over the defaults, as a --releq flag would take them:
    // lr, clip, epochs, discount, gae, vcoef, entropy, hidden, temperature, update_every, a, q,
    // threshold, shaping (paper|code), actions (flexible|stepwise), carry (0|1), end_below
    // (0|1), max_known_steps, and variant (lenet|cifar|svhn: every constant of that public
    // script: discount, a, q, threshold, shaping code, lr 1e-4 and entropy 0.01; applied
    // before the other keys wherever it stands). Throws tessel::Error for an unknown key or a
    // bad value.
    static Options Parse(std::string_view spec);
    // The options as "key=value,..." in Parse's keys (variant aside), every key given.
    std::string ToString() const;
  };

  // One finished episode, for diagnostics and tests.
  struct EpisodeSummary {
    int steps = 0;                  // steps taken (fewer than the layers when it ended early)
    double total_reward = 0;        // undiscounted
    double quantization_state = 1;  // of its last configuration with both states
    double accuracy_state = 1;
  };

  // `steps` must outlive the tuner. Throws ConfigError when the steps do not name both state
  // metrics, do not fit the space, set more than one knob each or offer different numbers of
  // levels.
  ReleqTuner(const Space& space, const DecisionSteps& steps, const Options& options, Rng rng);
  ~ReleqTuner() override;
  ReleqTuner(const ReleqTuner&) = delete;
  ReleqTuner& operator=(const ReleqTuner&) = delete;

  // One configuration (or none when the policy collapsed onto known configurations).
  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;

  const KnownEvaluations& known() const { return known_; }
  const std::vector<EpisodeSummary>& episodes() const { return summaries_; }
  int updates() const { return updates_; }
  // Per finished episode (step: the episode, from 0) "reward", its undiscounted total; per
  // PPO update (step: the update, from 0) "loss", the mean over its epochs of the loss per
  // transition.
  std::vector<TunerStat> TakeStats() override { return std::exchange(stats_, {}); }

 private:
  struct Agent;    // the LibTorch networks and optimiser
  struct Episode;  // the episode under way

  struct NetworkState {
    double quantization = 1;
    double accuracy = 1;
  };
  std::optional<NetworkState> StateOf(const Evaluation& evaluation) const;

  void StartEpisode();
  Config Act();  // samples the current step's action; the configuration it leads to
  void Observe(const Config& config, const Evaluation& evaluation);
  void FinishEpisode();
  void Learn();

  const Space& space_;
  const DecisionSteps& steps_;
  Options options_;
  Rng rng_;
  std::unique_ptr<Agent> agent_;
  KnownEvaluations known_;
  Config start_;                      // every step's knob at its largest level
  std::optional<Config> carried_;     // where the last episode ended (carry only)
  double lowest_quantization_state_;  // the smallest level over the largest (code shaping)
  std::unique_ptr<Episode> episode_;
  std::vector<TunerStat> stats_;                    // reported since the last TakeStats
  std::vector<std::unique_ptr<Episode>> finished_;  // awaiting the next update
  std::optional<Config> awaiting_;                  // proposed, awaiting its evaluation
  std::vector<EpisodeSummary> summaries_;
  int updates_ = 0;
};

// ReLeQ's shaped reward for a configuration's quantization and accuracy states; `below` tells
// that the accuracy state fell under the threshold (reward -1). `lowest_quantization_state` is
// the code shaping's offset (min bits / max bits), unused by the paper's.
struct ReleqReward {
  double reward = 0;
  bool below = false;
};
ReleqReward ShapedReward(double quantization_state, double accuracy_state,
                         const ReleqTuner::Options& options, double lowest_quantization_state);

// Generalised advantage estimation over one episode that ends after its last step (no value
// after it): A_t = sum_k (discount lambda)^k delta_t+k, delta_t = r_t + discount V_t+1 - V_t.
// With lambda 1 it is the public code's get_gaes.
std::vector<double> GaeAdvantages(const std::vector<double>& rewards,
                                  const std::vector<double>& values, double discount,
                                  double lambda);

}  // namespace tessel
