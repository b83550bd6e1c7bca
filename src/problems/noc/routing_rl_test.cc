// Tests of the tabular agents that choose a routing algorithm per load level: each update rule
// by hand, the training loop replayed along the trajectory it took, the public code's two
// defects when asked for them, convergence on a table of rewards, determinism, caching and the
// option checks. A table stands in for the simulator throughout (routing_rl_env_test.cc tests
// the simulator as an environment).
#include "problems/noc/routing_rl.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/noc/config_error_test_util.h"

namespace tessel::noc {
namespace {

// Rewards from a table, plus noise in [-noise/2, noise/2) drawn from the step's seed; records
// every step it is asked for.
class TableEnvironment : public RoutingEnvironment {
 public:
  explicit TableEnvironment(std::vector<std::vector<double>> rewards, double noise = 0)
      : rewards_(std::move(rewards)), noise_(noise) {}
  int states() const override { return static_cast<int>(rewards_.size()); }
  int actions() const override { return static_cast<int>(rewards_[0].size()); }
  StepOutcome Step(int state, int action, uint64_t seed) override {
    Rng rng(seed);
    const double reward = rewards_[state][action] + noise_ * (rng.UniformReal() - 0.5);
    steps.push_back({state, action, reward, seed});
    return StepOutcome{reward, -reward, false};
  }

  struct Taken {
    int state, action;
    double reward;
    uint64_t seed;
  };
  std::vector<Taken> steps;

 private:
  std::vector<std::vector<double>> rewards_;
  double noise_;
};

RlOptions Options(const std::string& algorithm) {
  RlOptions options;
  options.algorithm = algorithm;
  options.alpha = 0.5;
  options.gamma = 0.9;
  options.epsilon = 0.2;
  return options;
}

TEST(NocRoutingRlTest, EachUpdateRuleMovesQTowardItsTarget) {
  // Two states, two actions. Q(1, .) = (-4, -10); update Q(0, 1) = -2 after reward -6, with
  // SARSA's next action 1, alpha 0.5, gamma 0.9, epsilon 0.2.
  const auto updated = [](const std::string& algorithm, int next_state) {
    TabularAgent agent(2, 2, Options(algorithm));
    agent.set_q(1, 0, -4);
    agent.set_q(1, 1, -10);
    agent.set_q(0, 1, -2);
    agent.Update(0, 1, -6, next_state, 1, 0.2);
    EXPECT_EQ(agent.q(1, 0), -4);  // nothing else moves
    EXPECT_EQ(agent.q(0, 0), 0);
    return agent.q(0, 1);
  };
  // Q-learning: -6 + 0.9 x max(-4, -10) = -9.6; -2 + 0.5 x (-9.6 + 2) = -5.8.
  EXPECT_NEAR(updated("q-learning", 1), -5.8, 1e-12);
  // SARSA: -6 + 0.9 x Q(1, 1) = -15; -2 + 0.5 x (-13) = -8.5.
  EXPECT_NEAR(updated("sarsa", 1), -8.5, 1e-12);
  // Expected SARSA: pi(. | 1) = (0.9, 0.1); -6 + 0.9 x (0.9 x -4 + 0.1 x -10) = -10.14;
  // -2 + 0.5 x (-8.14) = -6.07.
  EXPECT_NEAR(updated("expected-sarsa", 1), -6.07, 1e-12);
  // The last step of an episode: the target is the reward, -2 + 0.5 x (-6 + 2) = -4.
  for (const char* algorithm : {"q-learning", "sarsa", "expected-sarsa"})
    EXPECT_NEAR(updated(algorithm, -1), -4, 1e-12) << algorithm;
}

TEST(NocRoutingRlTest, ExpectedSarsaSharesTheGreedyShareAmongTies) {
  TabularAgent agent(2, 3, Options("expected-sarsa"));
  agent.set_q(1, 0, -4);
  agent.set_q(1, 1, -4);
  agent.set_q(1, 2, -10);
  agent.Update(0, 0, -1, 1, 2, 0.3);
  // pi(. | 1) = (0.1 + 0.35, 0.1 + 0.35, 0.1): expectation -4.6; target -1 - 4.14 = -5.14.
  EXPECT_NEAR(agent.q(0, 0), 0.5 * -5.14, 1e-12);
}

// Replays a run's trajectory (states in index order, `states` steps an episode) through the
// textbook rules, with the discount `gamma`, and returns the Q table they give.
std::vector<std::vector<double>> Replay(const std::vector<TableEnvironment::Taken>& steps,
                                        int states, int actions, const RlOptions& options,
                                        double gamma) {
  std::vector<std::vector<double>> q(states, std::vector<double>(actions, 0.0));
  std::vector<std::vector<int>> visits(states, std::vector<int>(actions, 0));
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    double target = step.reward;
    if (step.state + 1 < states) {
      const std::vector<double>& next = q[step.state + 1];
      const double max_q = *std::max_element(next.begin(), next.end());
      double mean_q = 0;
      for (double value : next) mean_q += value / actions;
      if (options.algorithm == "q-learning") target += gamma * max_q;
      if (options.algorithm == "sarsa") target += gamma * next[steps[i + 1].action];
      if (options.algorithm == "expected-sarsa")
        target += gamma * (options.epsilon * mean_q + (1 - options.epsilon) * max_q);
    }
    const int n = ++visits[step.state][step.action];
    const double alpha = options.alpha > 0 ? options.alpha : 1.0 / n;
    q[step.state][step.action] += alpha * (target - q[step.state][step.action]);
  }
  return q;
}

void ExpectSameTable(const std::vector<std::vector<double>>& a,
                     const std::vector<std::vector<double>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t s = 0; s < a.size(); ++s)
    for (size_t x = 0; x < a[s].size(); ++x) EXPECT_NEAR(a[s][x], b[s][x], 1e-9) << s << "," << x;
}

const std::vector<std::vector<double>> kRewards = {
    {-12, -10, -15}, {-20, -30, -18}, {-40, -25, -60}, {-90, -70, -80}};

TEST(NocRoutingRlTest, TrainingFollowsEachRuleAlongTheTrajectoryItTook) {
  for (const char* algorithm : {"q-learning", "sarsa", "expected-sarsa"}) {
    TableEnvironment env(kRewards, 3.0);
    RlOptions options = Options(algorithm);
    options.episodes = 12;
    options.epsilon = 0.3;
    const RlResult result = TrainRoutingAgent(env, options);
    ASSERT_EQ(env.steps.size(), 48u);
    for (size_t i = 0; i < env.steps.size(); ++i) ASSERT_EQ(env.steps[i].state, int(i % 4));
    ExpectSameTable(result.q, Replay(env.steps, 4, 3, options, options.gamma));
    EXPECT_EQ(result.steps, 48);
    EXPECT_EQ(result.simulations, 48);
    ASSERT_EQ(result.episode_rewards.size(), 12u);
    double first = 0;
    for (int i = 0; i < 4; ++i) first += env.steps[i].reward;
    EXPECT_DOUBLE_EQ(result.episode_rewards[0], first);
  }
}

TEST(NocRoutingRlTest, ReproducingThePublicCodeDiscountsByEpsilon) {
  for (const char* algorithm : {"sarsa", "expected-sarsa"}) {
    RlOptions options = Options(algorithm);
    options.episodes = 12;
    options.epsilon = 0.3;
    options.reproduce_public_code = true;
    TableEnvironment env(kRewards, 3.0);
    const RlResult result = TrainRoutingAgent(env, options);
    ExpectSameTable(result.q, Replay(env.steps, 4, 3, options, /*gamma=*/0.3));
    options.reproduce_public_code = false;
    TableEnvironment plain_env(kRewards, 3.0);
    EXPECT_NE(TrainRoutingAgent(plain_env, options).q, result.q);
  }
  TabularAgent agent(1, 1, [] {
    RlOptions options;
    options.reproduce_public_code = true;
    return options;
  }());
  EXPECT_EQ(agent.Discount(0.25), 0.25);
}

TEST(NocRoutingRlTest, ReproducingThePublicQLearningActsOnTheNextStatesRow) {
  // State 0 wants action 0, state 1 action 1. Read from the next row, the action taken in
  // state 0 is state 1's favourite.
  const std::vector<std::vector<double>> rewards = {{-1, -100}, {-100, -1}};
  const auto share_of_action_1_in_state_0 = [&](bool reproduce) {
    RlOptions options = Options("q-learning");
    options.episodes = 60;
    options.epsilon = 0.05;
    options.reproduce_public_code = reproduce;
    TableEnvironment env(rewards);
    TrainRoutingAgent(env, options);
    int in_state_0 = 0, action_1 = 0;
    for (size_t i = env.steps.size() / 2; i < env.steps.size(); ++i)
      if (env.steps[i].state == 0) {
        ++in_state_0;
        action_1 += env.steps[i].action;
      }
    return static_cast<double>(action_1) / in_state_0;
  };
  EXPECT_LT(share_of_action_1_in_state_0(false), 0.2);
  EXPECT_GT(share_of_action_1_in_state_0(true), 0.8);
}

TEST(NocRoutingRlTest, EveryAlgorithmLearnsTheBestActionOfEveryStateFromNoisyRewards) {
  for (const char* algorithm : {"q-learning", "sarsa", "expected-sarsa"})
    for (uint64_t seed : {1, 2, 3}) {
      TableEnvironment env(kRewards, 4.0);
      RlOptions options = Options(algorithm);
      options.episodes = 150;
      options.alpha = 0.2;
      options.epsilon = 0.2;
      options.seed = seed;
      const RlResult result = TrainRoutingAgent(env, options);
      EXPECT_EQ(result.policy, (std::vector<int>{1, 2, 1, 1})) << algorithm << " seed " << seed;
    }
}

TEST(NocRoutingRlTest, TheSameSeedLearnsTheSameTableAndAnotherSeedAnother) {
  RlOptions options = Options("expected-sarsa");
  options.episodes = 20;
  options.shuffle_states = true;
  options.epsilon_decay = 0.9;
  const auto run = [&](uint64_t seed) {
    options.seed = seed;
    TableEnvironment env(kRewards, 3.0);
    return TrainRoutingAgent(env, options);
  };
  const RlResult a = run(5), b = run(5), c = run(6);
  EXPECT_EQ(a.q, b.q);
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a.episode_rewards, b.episode_rewards);
  EXPECT_NE(a.q, c.q);
}

TEST(NocRoutingRlTest, StepsAreSeededApartAndCachingSimulatesEachPairOnce) {
  RlOptions options = Options("q-learning");
  options.episodes = 25;
  options.epsilon = 0.5;
  TableEnvironment fresh(kRewards, 3.0);
  TrainRoutingAgent(fresh, options);
  std::set<uint64_t> seeds;
  for (const auto& step : fresh.steps) seeds.insert(step.seed);
  EXPECT_EQ(seeds.size(), fresh.steps.size());

  options.cache_rewards = true;
  TableEnvironment cached(kRewards, 3.0);
  const RlResult result = TrainRoutingAgent(cached, options);
  std::set<std::pair<int, int>> pairs;
  for (const auto& step : cached.steps) pairs.insert({step.state, step.action});
  EXPECT_EQ(pairs.size(), cached.steps.size());  // never the same pair twice
  EXPECT_EQ(result.simulations, static_cast<int64_t>(cached.steps.size()));
  EXPECT_EQ(result.steps, 100);
  EXPECT_LT(result.simulations, 13);
}

TEST(NocRoutingRlTest, TheObserverSeesEveryStepAfterItsUpdateCachedOnesToo) {
  RlOptions options = Options("sarsa");
  options.episodes = 6;
  options.cache_rewards = true;
  TableEnvironment env(kRewards, 3.0);
  std::vector<RlStep> observed;
  const RlResult result =
      TrainRoutingAgent(env, options, [&](const RlStep& step) { observed.push_back(step); });
  ASSERT_EQ(static_cast<int64_t>(observed.size()), result.steps);
  const int states = static_cast<int>(kRewards.size());
  for (size_t i = 0; i < observed.size(); ++i) {
    EXPECT_EQ(observed[i].episode, static_cast<int>(i) / states);
    EXPECT_EQ(observed[i].state, static_cast<int>(i) % states);  // index order
  }
  // The last step's highest Q is the final table's, as nothing is updated after it.
  const RlStep& last = observed.back();
  const std::vector<double>& row = result.q[last.state];
  EXPECT_EQ(last.best_q, *std::max_element(row.begin(), row.end()));
}

TEST(NocRoutingRlTest, ShuffledEpisodesVisitEveryStateOnceInVaryingOrders) {
  RlOptions options = Options("sarsa");
  options.episodes = 10;
  options.shuffle_states = true;
  TableEnvironment env(kRewards);
  TrainRoutingAgent(env, options);
  std::set<std::vector<int>> orders;
  for (size_t e = 0; e < 10; ++e) {
    std::vector<int> order;
    for (size_t i = 0; i < 4; ++i) order.push_back(env.steps[e * 4 + i].state);
    orders.insert(order);
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  }
  EXPECT_GT(orders.size(), 3u);
}

std::string ErrorOf(const std::function<void(RlOptions&)>& change) {
  RlOptions options;
  change(options);
  return ConfigErrorMessage([&] {
    TableEnvironment env(kRewards);
    TrainRoutingAgent(env, options);
  });
}

TEST(NocRoutingRlTest, BadOptionsAreConfigErrorsThatSayWhatToGive) {
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.algorithm = "dqn"; }),
                   "unknown RL algorithm 'dqn'; choose one of: q-learning, sarsa"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.episodes = 0; }), "episodes = 0 is too few"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.alpha = 1.5; }),
                   "alpha (learning rate; 0: the sample average) = 1.5"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.gamma = -0.1; }), "gamma (discount) = -0.1"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.epsilon = 2; }), "outside [0, 1]; give"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.epsilon_decay = 1.1; }), "epsilon_decay"));
  EXPECT_TRUE(Says(ErrorOf([](RlOptions& o) { o.epsilon_min = -1; }), "epsilon_min"));
  EXPECT_EQ(ErrorOf([](RlOptions& o) { o.alpha = 1; }), "");  // the bounds are allowed
  EXPECT_THROW(TabularAgent(0, 3, RlOptions{}), Error);
}

}  // namespace
}  // namespace tessel::noc
