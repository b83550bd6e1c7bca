// Tabular Q-learning, SARSA and expected SARSA over a routing-selection environment (see
// routing_rl.h).
#include "problems/noc/routing_rl.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>
#include <utility>

#include "core/error.h"
#include "core/key_values.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

namespace {

void CheckUnit(const char* what, double value, const char* example) {
  if (value >= 0 && value <= 1) return;
  std::ostringstream text;
  text << "RL " << what << " = " << value << " is outside [0, 1]; give e.g. " << example;
  throw ConfigError(text.str());
}

// The exploration rate of episode `episode` (from 0).
double EpisodeEpsilon(const RlOptions& options, int episode) {
  return std::max(options.epsilon_min, options.epsilon * std::pow(options.epsilon_decay, episode));
}

// The states of one episode, in the order it visits them.
std::vector<int> EpisodeOrder(int states, bool shuffle, Rng& rng) {
  std::vector<int> order(static_cast<size_t>(states));
  std::iota(order.begin(), order.end(), 0);
  if (shuffle) rng.Shuffle(order);
  return order;
}

}  // namespace

const std::vector<std::string_view>& RlAlgorithmNames() {
  // The order of RlAlgorithm, so that an index converts one to the other.
  static const std::vector<std::string_view> names = {"q-learning", "sarsa", "expected-sarsa"};
  return names;
}

RlAlgorithm RlAlgorithmFromName(std::string_view name) {
  const std::vector<std::string_view>& names = RlAlgorithmNames();
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end())
    throw ConfigError("unknown RL algorithm '" + std::string(name) +
                      "'; choose one of: " + JoinNames(names));
  return static_cast<RlAlgorithm>(found - names.begin());
}

RlOptions ParseRlOptions(std::string_view spec, std::string_view flag, RlOptions base) {
  for (const auto& [key, value] : SplitKeyValues(spec, flag)) {
    auto number = [&] { return ParseOptionNumber(value, flag, key, false); };
    auto flag_value = [&] {
      const double on = ParseOptionNumber(value, flag, key, true);
      if (on != 0 && on != 1)
        throw ConfigError(std::string(flag) + " " + key + " is 0 or 1, not " + value);
      return on == 1;
    };
    if (key == "episodes") {
      base.episodes = static_cast<int>(ParseOptionNumber(value, flag, key, true));
    } else if (key == "alpha") {
      base.alpha = number();
    } else if (key == "gamma") {
      base.gamma = number();
    } else if (key == "epsilon") {
      base.epsilon = number();
    } else if (key == "epsilon_decay") {
      base.epsilon_decay = number();
    } else if (key == "epsilon_min") {
      base.epsilon_min = number();
    } else if (key == "shuffle") {
      base.shuffle_states = flag_value();
    } else if (key == "cache") {
      base.cache_rewards = flag_value();
    } else if (key == "public_code") {
      base.reproduce_public_code = flag_value();
    } else {
      throw ConfigError(std::string(flag) + " has no key '" + key +
                        "'; known: episodes, alpha, gamma, epsilon, epsilon_decay, epsilon_min, "
                        "shuffle, cache, public_code");
    }
  }
  return base;
}

void ValidateRlOptions(const RlOptions& options) {
  RlAlgorithmFromName(options.algorithm);
  if (options.episodes < 1)
    throw ConfigError("RL episodes = " + std::to_string(options.episodes) +
                      " is too few; give 1 or more");
  CheckUnit("alpha (learning rate; 0: the sample average)", options.alpha, "0.5, or 0");
  CheckUnit("gamma (discount)", options.gamma, "0.9");
  CheckUnit("epsilon (exploration rate)", options.epsilon, "0.1");
  CheckUnit("epsilon_decay (per-episode factor)", options.epsilon_decay, "0.95, or 1 for none");
  CheckUnit("epsilon_min", options.epsilon_min, "0.01");
}

TabularAgent::TabularAgent(int states, int actions, const RlOptions& options)
    : options_(options), actions_(actions) {
  ValidateRlOptions(options);
  algorithm_ = RlAlgorithmFromName(options.algorithm);
  if (states < 1 || actions < 1)
    throw ConfigError("an RL environment of " + std::to_string(states) + " states and " +
                      std::to_string(actions) +
                      " actions has nothing to learn; give at least one of each");
  q_.assign(static_cast<size_t>(states), std::vector<double>(static_cast<size_t>(actions), 0.0));
  visits_.assign(static_cast<size_t>(states), std::vector<int>(static_cast<size_t>(actions), 0));
}

int TabularAgent::Greedy(int state, Rng& rng) const {
  const std::vector<double>& row = q_[state];
  const double best = *std::max_element(row.begin(), row.end());
  std::vector<int> ties;
  for (int a = 0; a < actions_; ++a)
    if (row[a] == best) ties.push_back(a);
  // Only ties draw, so that a clear choice leaves the stream as it is.
  return ties.size() == 1 ? ties[0]
                          : ties[rng.UniformInt(0, static_cast<int64_t>(ties.size()) - 1)];
}

int TabularAgent::EpsilonGreedy(int state, double epsilon, Rng& rng) const {
  if (rng.UniformReal() < epsilon) return static_cast<int>(rng.UniformInt(0, actions_ - 1));
  return Greedy(state, rng);
}

double TabularAgent::Discount(double epsilon) const {
  return options_.reproduce_public_code ? epsilon : options_.gamma;
}

void TabularAgent::Update(int state, int action, double reward, int next_state, int next_action,
                          double epsilon) {
  double target = reward;
  if (next_state >= 0) {
    const std::vector<double>& next = q_[next_state];
    const double max_q = *std::max_element(next.begin(), next.end());
    double bootstrap = 0;
    switch (algorithm_) {
      case RlAlgorithm::kQLearning:
        bootstrap = max_q;
        break;
      case RlAlgorithm::kSarsa:
        bootstrap = next[next_action];
        break;
      case RlAlgorithm::kExpectedSarsa: {
        // Epsilon-greedy puts epsilon/n on every action and 1 - epsilon on the greedy ones,
        // shared among ties, which all have the value max_q.
        const double mean_q = std::accumulate(next.begin(), next.end(), 0.0) / actions_;
        bootstrap = epsilon * mean_q + (1 - epsilon) * max_q;
        break;
      }
    }
    target += Discount(epsilon) * bootstrap;
  }
  double& value = q_[state][action];
  const int visits = ++visits_[state][action];
  value += (options_.alpha > 0 ? options_.alpha : 1.0 / visits) * (target - value);
}

RlResult TrainRoutingAgent(RoutingEnvironment& env, const RlOptions& options,
                           const RlStepObserver& observe) {
  TabularAgent agent(env.states(), env.actions(), options);
  const bool public_q_learning = options.reproduce_public_code &&
                                 RlAlgorithmFromName(options.algorithm) == RlAlgorithm::kQLearning;
  const Rng root(options.seed);
  Rng policy_rng = root.Fork("noc-rl-policy");
  Rng order_rng = root.Fork("noc-rl-order");
  std::map<std::pair<int, int>, StepOutcome> cache;
  RlResult result;

  for (int episode = 0; episode < options.episodes; ++episode) {
    const double epsilon = EpisodeEpsilon(options, episode);
    const std::vector<int> order = EpisodeOrder(env.states(), options.shuffle_states, order_rng);
    const int length = static_cast<int>(order.size());
    // The action for the state at position t of the episode.
    const auto choose = [&](int t) {
      if (!public_q_learning) return agent.EpsilonGreedy(order[t], epsilon, policy_rng);
      // The public code's row: the next state's, or past the end an all-zero row, whose
      // greedy action is a draw among all.
      if (t + 1 < length) return agent.EpsilonGreedy(order[t + 1], epsilon, policy_rng);
      return static_cast<int>(policy_rng.UniformInt(0, agent.actions() - 1));
    };
    double episode_reward = 0;
    int action = choose(0);
    for (int t = 0; t < length; ++t) {
      const int state = order[t];
      const uint64_t seed = root.Fork("noc-rl-step", static_cast<uint64_t>(result.steps)).seed();
      ++result.steps;
      StepOutcome outcome;
      const auto cached = cache.find({state, action});
      if (cached != cache.end()) {
        outcome = cached->second;
      } else {
        outcome = env.Step(state, action, seed);
        ++result.simulations;
        if (options.cache_rewards) cache.emplace(std::make_pair(state, action), outcome);
      }
      episode_reward += outcome.reward;
      const bool last = t + 1 == length;
      // a' is drawn before the update, as SARSA needs; the next state's row is another one
      // (an episode visits each state once), so for the other two the order does not matter.
      const int next_action = last ? -1 : choose(t + 1);
      agent.Update(state, action, outcome.reward, last ? -1 : order[t + 1], next_action, epsilon);
      if (observe) {
        const std::vector<double>& row = agent.table()[state];
        observe(
            {episode, state, action, outcome.reward, *std::max_element(row.begin(), row.end())});
      }
      action = next_action;
    }
    result.episode_rewards.push_back(episode_reward);
  }

  Rng greedy_rng = root.Fork("noc-rl-greedy");
  for (int s = 0; s < agent.states(); ++s) result.policy.push_back(agent.Greedy(s, greedy_rng));
  result.q = agent.table();
  return result;
}

}  // namespace tessel::noc
