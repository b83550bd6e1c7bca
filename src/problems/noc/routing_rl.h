// Tabular agents that learn which routing algorithm to run at each load level of a NoC, as in
// "Learning to Route on a Network-on-Chip" style work (Kao, Yang, Chen, Ma and Krishna, arXiv
// 1908.04484): Q-learning, SARSA and expected SARSA over the states and actions of a
// RoutingEnvironment (routing_rl_env.h), epsilon-greedy, Q initialised to zero.
//
// An episode visits every state once, in index order (the paper's walk up the load levels) or,
// as an option, in a random order drawn per episode; the next state never depends on the action.
// The targets, with s' the next state of the episode and epsilon the current exploration rate:
//
//   Q-learning       r + gamma * max_a' Q(s', a')
//   SARSA            r + gamma * Q(s', a'), a' the action the agent then takes in s'
//   expected SARSA   r + gamma * sum_a' pi(a' | s') Q(s', a'), pi epsilon-greedy on Q(s', .)
//
// and r alone on the last step of an episode. Since all rewards are negative, zero is an
// optimistic start: every action of a state gets tried before the agent settles.
//
// Because the next state does not depend on the action, gamma * (value of s') adds the same to
// every action of s in expectation, and in practice only noise: estimates of s' that were
// taken at different times, optimistic ones early on. The problem is a contextual bandit, and
// the default gamma = 0 treats it as one; the three algorithms then coincide, and differ
// (bootstrapping as the paper's agents do) with gamma > 0. On the uniform states of an 8x8 mesh
// with the paper's budget of 15 episodes, 5 seeds, gamma 0 ends within 2% of the best
// routing in 5 or 6 of the 6 states with every seed, gamma 0.9 in 4 to 6 (bench/noc).
//
// The step size is by default 1/n for the n-th update of a (state, action), so that its Q is
// the mean of its targets (the sample average of Sutton and Barto's "Reinforcement Learning",
// section 2.4) and the zero start is gone after the first visit. A constant step (alpha > 0)
// keeps (1 - alpha)^n of the zero start after n visits: with the paper's budget an action
// is visited two or three times, so the least-visited actions look best by up to half their
// latency, far more than the routings differ by.
//
// Simulations are the expensive part, so by default every step simulates afresh, with a seed
// forked from the run's seed and the step's index, and rewards are as noisy as in the paper's
// setting; cache_rewards reuses a (state, action)'s first outcome for the rest of the run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "problems/noc/routing_rl_env.h"

namespace tessel::noc {

enum class RlAlgorithm { kQLearning, kSarsa, kExpectedSarsa };

// "q-learning", "sarsa", "expected-sarsa".
const std::vector<std::string_view>& RlAlgorithmNames();
// Throws tessel::ConfigError listing the names when `name` is not one of them.
RlAlgorithm RlAlgorithmFromName(std::string_view name);

struct RlOptions {
  std::string algorithm = "q-learning";  // RlAlgorithmNames()
  int episodes = 30;
  // Step size of the update, in [0, 1]; 0: 1/n, n the visits of (state, action) so far.
  double alpha = 0;
  double gamma = 0;      // discount, in [0, 1]; see above
  double epsilon = 0.1;  // exploration rate of the first episode, in [0, 1]
  // Episode e explores at max(epsilon_min, epsilon * epsilon_decay^e); both in [0, 1].
  double epsilon_decay = 1.0;
  double epsilon_min = 0.0;
  bool shuffle_states = false;  // a random order of the states per episode, not index order
  bool cache_rewards = false;   // simulate each (state, action) once per run, then reuse it
  // Behave like the paper's public code (interconnect-routing-gym's examples), defects and all:
  //  1. its Q-learning picks the action to take in state s epsilon-greedily from the *next*
  //     state's Q row (on the last step, from the row of the never-visited state past the end,
  //     all zeros: a tie among all actions, drawn here, where np.argmax takes the first); its
  //     SARSA and expected SARSA pick from the right row.
  //  2. all three pass their decaying epsilon to the update where the discount belongs, so the
  //     discount used is the current epsilon and `gamma` is ignored. (The public code keeps a
  //     second epsilon, 1/(episode+1), for exploring; here the one schedule serves both.)
  bool reproduce_public_code = false;
  uint64_t seed = 0;
};

// `base` with the fields `spec` names ("episodes=15,alpha=0.5,gamma=0.9,epsilon=0.1,
// epsilon_decay=1,epsilon_min=0,shuffle=0,cache=0,public_code=0"; the flags take 0 or 1).
// Throws tessel::ConfigError naming `flag` for an unknown key (listing the known ones) or a
// malformed value; the ranges are ValidateRlOptions's.
RlOptions ParseRlOptions(std::string_view spec, std::string_view flag, RlOptions base = {});

// Throws tessel::ConfigError, one line saying what is wrong and what to give, on an unknown
// algorithm, episodes < 1, or alpha, gamma, epsilon, epsilon_decay or epsilon_min outside [0, 1].
void ValidateRlOptions(const RlOptions& options);

// The Q table and the update rules, apart from any environment, so that each rule can be
// checked by hand.
class TabularAgent {
 public:
  // Validates `options` (ValidateRlOptions) and starts from Q = 0.
  TabularAgent(int states, int actions, const RlOptions& options);

  int states() const { return static_cast<int>(q_.size()); }
  int actions() const { return actions_; }
  double q(int state, int action) const { return q_[state][action]; }
  void set_q(int state, int action, double value) { q_[state][action] = value; }
  const std::vector<std::vector<double>>& table() const { return q_; }

  // An action of highest Q in `state`, ties drawn from `rng`.
  int Greedy(int state, Rng& rng) const;
  // With probability epsilon an action uniformly at random, else Greedy.
  int EpsilonGreedy(int state, double epsilon, Rng& rng) const;
  // The discount the update uses: gamma, or epsilon when reproducing the public code.
  double Discount(double epsilon) const;

  // Moves Q(state, action) toward the algorithm's target by the step size (alpha, or 1/n with
  // alpha 0). next_state < 0: the episode
  // ended, and the target is the reward. next_action is SARSA's a' (the others ignore it);
  // epsilon is expected SARSA's exploration rate for pi(. | s') and the public code's discount.
  void Update(int state, int action, double reward, int next_state, int next_action,
              double epsilon);

 private:
  RlAlgorithm algorithm_;
  RlOptions options_;
  int actions_;
  std::vector<std::vector<double>> q_;    // [state][action]
  std::vector<std::vector<int>> visits_;  // [state][action]: updates so far
};

struct RlResult {
  std::vector<std::vector<double>> q;   // the learned Q table, [state][action]
  std::vector<int> policy;              // the greedy action per state (ties drawn, seeded)
  std::vector<double> episode_rewards;  // the sum of each episode's rewards
  int64_t steps = 0;                    // actions taken
  int64_t simulations = 0;              // environment steps run (fewer than steps if cached)
};

// One step of training, as it was learned from: for a log of the agent's progress.
struct RlStep {
  int episode = 0;
  int state = 0;
  int action = 0;
  double reward = 0;
  double best_q = 0;  // the state's highest Q after the update: the value the agent expects
};
using RlStepObserver = std::function<void(const RlStep&)>;

// Trains an agent on `env` for options.episodes episodes, telling `observe` (when given) of each
// step after its update. Deterministic given options.seed (and a deterministic environment).
// Throws tessel::ConfigError as ValidateRlOptions, and when the environment has no states or
// actions.
RlResult TrainRoutingAgent(RoutingEnvironment& env, const RlOptions& options,
                           const RlStepObserver& observe = {});

}  // namespace tessel::noc
