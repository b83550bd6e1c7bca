// RELEASE's search agent: proximal policy optimisation (PPO) walkers that move through the
// space one knob step at a time, rewarded by the cost model's prediction (the surrogate
// reward), in place of simulated annealing. The agent keeps its weights across searches of
// the same task, which is where the seeds say the search steps are saved.
//
// State: every knob's index scaled to [0, 1] plus the cost model's standardised score of the
// current configuration. Action: for every knob, decrement / stay / increment (one 3-way
// softmax per knob). A move that breaks the space's constraint is undone knob by knob (in a
// seeded order) until it holds. Reward: the standardised score of the new configuration.
// Walkers start from the given configurations, take up to `max_steps` lockstep steps, and
// stop one by one when `stuck_share` of their knobs are stuck (unchanged for `stall_steps`
// steps in a row); the search ends when every walker stopped or no new top candidate appeared
// for `early_stop` steps.
//
// The network lives in ppo_search.cc only, so LibTorch's headers stay there.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "space/space.h"

namespace tessel {

class PpoSearch {
 public:
  struct Options {
    // Table 2 of "Reinforcement Learning and Adaptive Sampling for Optimized DNN Compilation"
    // (RELEASE).
    double learning_rate = 1e-3;
    double discount = 0.9;
    double gae_lambda = 0.99;
    int epochs = 3;
    double clip = 0.3;
    double value_coefficient = 1.0;
    double entropy_coefficient = 0.1;
    // Network and rollout shape.
    int hidden = 64;   // width of the shared layer and of each head's hidden layer
    int horizon = 16;  // steps of all walkers collected per PPO update
    int minibatch = 256;
    int max_steps = 500;
    int early_stop = 50;        // steps without a new top candidate end the search
    double stuck_share = 0.75;  // a walker stops when this share of its knobs is stuck
    int stall_steps = 8;        // a knob unchanged this many steps in a row is stuck
    // The policy's logits are divided by this before the softmax (the authors' public code
    // uses 0.1: sharper, more deterministic moves).
    double temperature = 1.0;

    void Validate() const;  // throws tessel::Error naming the offending option
    // Sets options from "key=value,key=value" (keys: lr, discount, gae, epochs, clip, vcoef,
    // entropy, hidden, horizon, minibatch, max_steps, early_stop, stuck_share, stall_steps,
    // temperature) over the defaults; throws tessel::Error for an unknown key or a bad value.
    static Options Parse(std::string_view spec);
    // The options as "key=value,..." in Parse's keys, every key given.
    std::string ToString() const;
  };

  // One PPO update: the mean surrogate reward of the segment it learned from (the model's
  // standardised scores), and its losses and policy entropy, each the mean over its minibatches.
  struct UpdateStats {
    double mean_reward = 0;
    double policy_loss = 0;
    double value_loss = 0;
    double entropy = 0;
  };

  struct Result {
    std::vector<Config> best;          // up to `count` distinct unvisited, best predicted first
    std::vector<Config> trajectory;    // every configuration a walker stood on, in step order
    int steps = 0;                     // lockstep steps taken before the search ended
    std::vector<UpdateStats> updates;  // one per PPO update, in order
  };

  PpoSearch(const Space& space, const Options& options, Rng rng);
  ~PpoSearch();
  PpoSearch(const PpoSearch&) = delete;
  PpoSearch& operator=(const PpoSearch&) = delete;

  // Walks from `starts` (valid configurations, one walker each) with `model` as the reward.
  Result Search(const CostModel& model, const std::vector<Config>& starts, int count,
                const ConfigSet& exclude);

 private:
  struct Agent;  // the LibTorch network and optimiser

  const Space& space_;
  Options options_;
  Rng rng_;
  std::unique_ptr<Agent> agent_;
};

}  // namespace tessel
