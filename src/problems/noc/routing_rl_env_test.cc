// Tests of the mesh simulator as a routing-selection environment: the default load states, a
// step's simulation and reward (saturated runs included), the oracle against direct
// simulations on a 4x4 mesh, policy scores by hand, and the checks of the environment's input.
#include "problems/noc/routing_rl_env.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "problems/noc/config_error_test_util.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/routing_rl.h"

namespace tessel::noc {
namespace {

// A 4x4 mesh with short windows: a step takes a few milliseconds.
NocConfig Small() {
  NocConfig config;
  config.k = 4;
  config.warmup_cycles = 200;
  config.measure_cycles = 600;
  config.drain_limit_cycles = 1000;
  return config;
}

TEST(NocRoutingRlEnvTest, DefaultLoadsRiseToXysKneeForEachPattern) {
  EXPECT_EQ(DefaultLoadRates("uniform"), (std::vector<double>{0.02, 0.1, 0.2, 0.3, 0.36, 0.4}));
  EXPECT_EQ(DefaultLoadRates("transpose").back(), 0.14);
  for (const char* traffic : {"bit-complement", "shuffle", "tornado", "hotspot"}) {
    const std::vector<double> rates = DefaultLoadRates(traffic);
    ASSERT_EQ(rates.size(), 6u);
    EXPECT_GT(rates.front(), 0);
    for (size_t i = 1; i < rates.size(); ++i) EXPECT_GT(rates[i], rates[i - 1]) << traffic;
  }
  EXPECT_THROW(DefaultLoadRates("bursty"), Error);

  const std::vector<LoadState> states = LoadStates({"uniform", "transpose"}, {0.1, 0.2});
  ASSERT_EQ(states.size(), 4u);
  EXPECT_EQ(states[1].traffic, "uniform");
  EXPECT_EQ(states[1].rate, 0.2);
  EXPECT_EQ(states[2].traffic, "transpose");
  EXPECT_EQ(states[2].rate, 0.1);
  EXPECT_EQ(LoadStates({"shuffle"}).size(), 6u);
}

TEST(NocRoutingRlEnvTest, AStepSimulatesTheStateUnderTheActionsRouting) {
  NocRoutingEnvironment env(Small(), LoadStates({"transpose"}, {0.1, 0.4}), {"xy", "odd-even"});
  EXPECT_EQ(env.states(), 2);
  EXPECT_EQ(env.actions(), 2);
  EXPECT_EQ(env.StateName(1), "transpose@0.4");
  EXPECT_EQ(env.ActionName(1), "odd-even");
  const NocConfig config = env.StepConfig(1, 1, 77);
  EXPECT_EQ(config.k, 4);
  EXPECT_EQ(config.traffic, "transpose");
  EXPECT_EQ(config.rate, 0.4);
  EXPECT_EQ(config.routing, "odd-even");
  EXPECT_EQ(config.seed, 77u);

  const StepOutcome outcome = env.Step(1, 1, 77);
  const NocStats stats = Simulate(config);
  EXPECT_FALSE(outcome.saturated);
  EXPECT_EQ(outcome.latency, stats.latency);
  EXPECT_EQ(outcome.reward, -stats.latency);
  EXPECT_EQ(env.Step(1, 1, 77).reward, outcome.reward);  // the seed decides
  EXPECT_NE(env.Step(1, 1, 78).reward, outcome.reward);
}

TEST(NocRoutingRlEnvTest, ASaturatedStepIsPenalisedBelowEveryRunThatDrained) {
  NocConfig config = Small();
  config.drain_limit_cycles = 100;
  NocRoutingEnvironment env(config, LoadStates({"transpose"}, {0.6}), {"xy", "o1turn"});
  const StepOutcome xy = env.Step(0, 0, 1);
  ASSERT_TRUE(xy.saturated);
  EXPECT_EQ(SaturationPenalty(config), 700);
  EXPECT_EQ(xy.reward, -(xy.latency + 700));
  const StepOutcome o1turn = env.Step(0, 1, 1);
  EXPECT_FALSE(o1turn.saturated);
  EXPECT_GT(o1turn.reward, -700);
}

TEST(NocRoutingRlEnvTest, TheOracleAveragesEveryStateAndActionAndScoresPolicies) {
  NocRoutingEnvironment env(Small(), LoadStates({"transpose"}, {0.05, 0.45}),
                            {"xy", "o1turn", "odd-even"});
  const OracleTable oracle = ComputeOracle(env, 2, 9);
  ASSERT_EQ(oracle.reward.size(), 2u);
  ASSERT_EQ(oracle.reward[0].size(), 3u);
  // A cell by hand: the mean of the two repeats' simulations, seeded as documented.
  const Rng root(9);
  double latency = 0;
  for (uint64_t r : {0, 1})
    latency += Simulate(env.StepConfig(1, 2, root.Fork("noc-rl-oracle", r).seed())).latency / 2;
  EXPECT_DOUBLE_EQ(oracle.latency[1][2], latency);
  // Near saturation XY lags far behind the two that spread transpose's load.
  EXPECT_NE(oracle.best[1], 0);
  EXPECT_GT(oracle.latency[1][0], 2 * oracle.latency[1][oracle.best[1]]);
  for (int s = 0; s < 2; ++s)
    for (int a = 0; a < 3; ++a) EXPECT_LE(oracle.reward[s][a], oracle.reward[s][oracle.best[s]]);

  const PolicyScore best = ScorePolicy(oracle, oracle.best);
  EXPECT_EQ(best.agree, 2);
  EXPECT_EQ(best.near_optimal, 2);
  EXPECT_EQ(best.mean_regret, 0);
  const PolicyScore xy = ScorePolicy(oracle, {oracle.best[0], 0});
  EXPECT_EQ(xy.agree, 1);
  EXPECT_EQ(xy.near_optimal, 1);
  EXPECT_DOUBLE_EQ(xy.regret[1], oracle.reward[1][oracle.best[1]] - oracle.reward[1][0]);
  EXPECT_DOUBLE_EQ(xy.mean_regret, xy.regret[1] / 2);
  EXPECT_THROW(ScorePolicy(oracle, {0}), Error);
  EXPECT_THROW(ScorePolicy(oracle, {0, 3}), Error);
  EXPECT_THROW(ComputeOracle(env, 0, 9), Error);
}

TEST(NocRoutingRlEnvTest, AnAgentLearnsToAvoidXyUnderHeavyTransposeTraffic) {
  NocRoutingEnvironment env(Small(), LoadStates({"transpose"}, {0.45}), {"xy", "o1turn"});
  RlOptions options;
  options.episodes = 8;
  options.epsilon = 0.2;
  const RlResult result = TrainRoutingAgent(env, options);
  EXPECT_EQ(result.policy, std::vector<int>{1});
  EXPECT_EQ(result.simulations, 8);
  EXPECT_EQ(TrainRoutingAgent(env, options).q, result.q);  // deterministic, simulator and all
}

std::string ErrorOf(
    std::vector<LoadState> states, std::vector<std::string> routings,
    const std::function<void(NocConfig&)>& change = [](NocConfig&) {}) {
  NocConfig config = Small();
  change(config);
  return ConfigErrorMessage(
      [&] { NocRoutingEnvironment env(config, std::move(states), std::move(routings)); });
}

TEST(NocRoutingRlEnvTest, BadEnvironmentsAreConfigErrorsThatSayWhatToGive) {
  const std::vector<LoadState> one = {{"uniform", 0.1}};
  EXPECT_TRUE(Says(ErrorOf({}, {}), "no load states; give at least one"));
  EXPECT_TRUE(Says(ErrorOf({{"uniform", 0}}, {}), "rate 0 is outside (0, 1]"));
  EXPECT_TRUE(Says(ErrorOf({{"uniform", 1.5}}, {}), "rate 1.5 is outside (0, 1]"));
  EXPECT_TRUE(Says(ErrorOf({{"bursty", 0.1}}, {}), "unknown NoC traffic pattern 'bursty'"));
  EXPECT_TRUE(Says(ErrorOf(one, {"xy", "zigzag"}), "unknown NoC routing 'zigzag'; choose"));
  EXPECT_TRUE(Says(ErrorOf(one, {"xy", "xy"}), "'xy' is listed twice"));
  EXPECT_TRUE(Says(ErrorOf(one, {}, [](NocConfig& c) { c.vcs = 3; }), "o1turn"));
  EXPECT_TRUE(Says(ErrorOf(one, {"xy"}, [](NocConfig& c) { c.k = 1; }), "mesh size k = 1"));
  EXPECT_EQ(ErrorOf(one, {"xy"}, [](NocConfig& c) { c.vcs = 3; }), "");
}

}  // namespace
}  // namespace tessel::noc
