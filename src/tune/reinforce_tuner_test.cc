#include "tune/reinforce_tuner.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "tune/fake_step_problem.h"

namespace tessel {
namespace {

// Asks for one configuration at a time and feeds its evaluation back, as the loop does;
// stops early when the tuner has nothing more.
std::vector<Config> Drive(Strategy& strategy, FakeStepProblem& problem, int evaluations) {
  std::vector<Config> proposed;
  while (static_cast<int>(proposed.size()) < evaluations) {
    const std::vector<Config> batch = strategy.NextBatch(1);
    if (batch.empty()) break;
    EXPECT_EQ(batch.size(), 1u);
    strategy.Update(batch, problem.Evaluate(batch));
    proposed.insert(proposed.end(), batch.begin(), batch.end());
  }
  return proposed;
}

TEST(ReinforceRewardsTest, FitnessOverTheLowestSeenAndTheBudgetPenalty) {
  StepRewarder rewarder(100);
  // Fitness -10, -4, -6: rewards over the lowest so far (-10), within the budget (90 <= 100).
  StepRewarder::Episode first = rewarder.Reward({{10.0, 30}, {4.0, 30}, {6.0, 30}});
  EXPECT_EQ(first.rewards, (std::vector<double>{0, 6, 4}));
  EXPECT_TRUE(first.succeeded);
  // The lowest fitness falls to -12; the third step takes the area to 120: its reward is
  // -(0 + 10) x (120 - 100) / 100 and the episode ends.
  StepRewarder::Episode second = rewarder.Reward({{12.0, 50}, {2.0, 40}, {1.0, 30}});
  EXPECT_EQ(second.rewards, (std::vector<double>{0, 10, -2}));
  EXPECT_FALSE(second.succeeded);
  EXPECT_EQ(rewarder.min_fitness(), -12);
  // Over the budget at the second step: later steps get nothing.
  StepRewarder::Episode third = rewarder.Reward({{2.0, 90}, {2.0, 60}, {1.0, 1}});
  ASSERT_EQ(third.rewards.size(), 2u);
  EXPECT_DOUBLE_EQ(third.rewards[1], -10 * 0.5);
}

TEST(ReinforceRewardsTest, AnInvalidStepEndsTheEpisodeWithOvershootOne) {
  StepRewarder rewarder(100);
  rewarder.Reward({{12.0, 10}});  // the lowest fitness: -12
  StepRewarder::Episode episode = rewarder.Reward({{3.0, 10}, {std::nullopt, 0}, {1.0, 10}});
  EXPECT_EQ(episode.rewards, (std::vector<double>{9, -9}));
  EXPECT_FALSE(episode.succeeded);
  // An invalid first step has nothing earlier to take back; the lowest fitness is untouched.
  EXPECT_EQ(rewarder.Reward({{std::nullopt, 0}, {1.0, 10}}).rewards, (std::vector<double>{0}));
  EXPECT_EQ(rewarder.min_fitness(), -12);
}

TEST(ReinforceRewardsTest, ReturnsAreNormalisedDiscountedAndNormalisedAgain) {
  // numpy: r = (r - r.mean()) / (r.std() + 2**-12); R_t = r_t + 0.9 R_t+1; then again.
  const std::vector<double> returns = NormalisedReturns({1, 0, 3}, 0.9);
  ASSERT_EQ(returns.size(), 3u);
  EXPECT_NEAR(returns[0], -0.9135475516037181, 1e-12);
  EXPECT_NEAR(returns[1], -0.4775362201564891, 1e-12);
  EXPECT_NEAR(returns[2], 1.391083771760207, 1e-12);
  // One step: no spread, no signal.
  EXPECT_EQ(NormalisedReturns({5}, 0.9), (std::vector<double>{0}));
}

TEST(ReinforcePolicyInputTest, TheStateDescribesTheStepJustAssigned) {
  DecisionStep step;
  step.features = {1, 0.5, 0.25};
  step.knobs = {0, 1};
  const PolicyInput first = PolicyInput::First(step);
  EXPECT_EQ(first.features, (std::vector<float>{1, 0.5, 0.25}));  // not centred
  EXPECT_EQ(first.actions, (std::vector<float>{0, 0}));
  EXPECT_EQ(first.position, 0);
  // The second of four steps assigned with fractions 1 and 0.25.
  const PolicyInput after = PolicyInput::After(step, {1, 0.25}, 1, 4);
  EXPECT_EQ(after.features, (std::vector<float>{1, 0, -0.5}));
  EXPECT_EQ(after.actions, (std::vector<float>{1, -0.5}));
  EXPECT_EQ(after.position, -0.5f);
}

TEST(ReinforceTunerTest, SameSeedSameProposalsAndOneThread) {
  FakeStepProblem problem;
  auto run = [&](uint64_t seed) {
    ReinforceTuner tuner(problem.space(), *problem.decision_steps(), {}, Rng(seed));
    EXPECT_EQ(at::get_num_threads(), 1);
    return Drive(tuner, problem, 12);
  };
  const std::vector<Config> proposed = run(5);
  EXPECT_EQ(proposed.size(), 12u);
  EXPECT_EQ(run(5), proposed);
  EXPECT_NE(run(6), proposed);
  const std::set<int32_t> pe_levels = {0, 1, 3, 7, 15};
  for (const Config& config : proposed)
    for (size_t layer = 0; layer < 4; ++layer)
      EXPECT_TRUE(pe_levels.count(config[FakeStepProblem::PeKnob(layer)]));
}

TEST(ReinforceTunerTest, NeverProposesAKnownConfigurationAndStopsWhenAllAreKnown) {
  // One layer with 2 x 2 levels.
  FakeStepProblem problem({{100, 2}});
  DecisionSteps steps = *problem.decision_steps();
  steps.steps[0].levels = {{0, 1}, {0, 1}};
  ReinforceTuner::Options options;
  options.max_cached_episodes = 100;
  ReinforceTuner tuner(problem.space(), steps, options, Rng(1));
  // One resumed configuration is known from the start.
  const Config resumed = {0, 0};
  tuner.Resume({resumed}, problem.Evaluate({resumed}));
  const std::vector<Config> proposed = Drive(tuner, problem, 40);
  EXPECT_LE(proposed.size(), 3u);
  const std::set<Config> distinct(proposed.begin(), proposed.end());
  EXPECT_EQ(distinct.size(), proposed.size());
  EXPECT_FALSE(distinct.count(resumed));
  EXPECT_TRUE(tuner.NextBatch(1).empty());
  EXPECT_GT(tuner.episodes(), static_cast<int>(proposed.size()));  // it learned from the cache
}

TEST(ReinforceTunerTest, DecaysTheLearningRateEveryHundredEpisodesOnceOneSucceeded) {
  FakeStepProblem problem({{100, 2}});
  ReinforceTuner::Options options;
  options.max_cached_episodes = 0;  // every call samples one episode
  ReinforceTuner tuner(problem.space(), *problem.decision_steps(), options, Rng(2));
  while (tuner.episodes() < 98) Drive(tuner, problem, 1);
  EXPECT_DOUBLE_EQ(tuner.learning_rate(), 1e-3);
  Drive(tuner, problem, 1);  // episode 99
  EXPECT_DOUBLE_EQ(tuner.learning_rate(), 1e-3 * 0.8);
}

TEST(ReinforceTunerTest, LearnsThroughInvalidEvaluations) {
  // Layer 1 cannot be mapped on 8 or more PEs: those evaluations lack its metrics.
  FakeStepProblem problem({{100, 2}, {400, 7}, {50, 1}, {200, 5}},
                          [](size_t layer, int64_t pe, int64_t) { return layer == 1 && pe >= 8; });
  ReinforceTuner tuner(problem.space(), *problem.decision_steps(), {}, Rng(3));
  int invalid = 0;
  for (int i = 0; i < 30; ++i) {
    const std::vector<Config> batch = tuner.NextBatch(1);  // aborts on a non-finite policy
    ASSERT_EQ(batch.size(), 1u);
    const std::vector<Evaluation> results = problem.Evaluate(batch);
    invalid += results[0].status == EvalStatus::kInvalid;
    tuner.Update(batch, results);
  }
  EXPECT_GT(invalid, 0);
}

TEST(ReinforceTunerTest, RejectsStepsThatDoNotFit) {
  FakeStepProblem problem;
  DecisionSteps steps = *problem.decision_steps();
  steps.steps[2].levels[0] = {0, 1, 2};  // fewer levels than the first step's head
  EXPECT_THROW(ReinforceTuner(problem.space(), steps, {}, Rng(1)), Error);
  steps = *problem.decision_steps();
  steps.steps[0].knobs[1] = 99;
  EXPECT_THROW(ReinforceTuner(problem.space(), steps, {}, Rng(1)), Error);
}

}  // namespace
}  // namespace tessel
