#include "tune/releq_tuner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "core/error.h"
#include "tune/fake_quant_problem.h"
#include "tune/fake_step_problem.h"

namespace tessel {
namespace {

// Asks for one configuration at a time and feeds its evaluation back, as the loop does, until
// `evaluations` were made, the tuner finished `episodes` episodes, or it has nothing more.
std::vector<Config> Drive(ReleqTuner& tuner, FakeQuantProblem& problem, int evaluations,
                          size_t episodes = SIZE_MAX) {
  std::vector<Config> proposed;
  while (static_cast<int>(proposed.size()) < evaluations && tuner.episodes().size() < episodes) {
    const std::vector<Config> batch = tuner.NextBatch(1);
    if (batch.empty()) break;
    EXPECT_EQ(batch.size(), 1u);
    tuner.Update(batch, problem.Evaluate(batch));
    proposed.insert(proposed.end(), batch.begin(), batch.end());
  }
  return proposed;
}

// Options over the defaults with small networks: for the tests of the episodes' mechanics, which
// do not depend on the networks' width, to keep them fast.
ReleqTuner::Options Small(const std::string& spec = "") {
  return ReleqTuner::Options::Parse("hidden=16" + (spec.empty() ? "" : "," + spec));
}

double MeanOf(const std::vector<ReleqTuner::EpisodeSummary>& episodes, size_t begin, size_t end,
              double ReleqTuner::EpisodeSummary::*field) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += episodes[i].*field;
  return sum / static_cast<double>(end - begin);
}

TEST(ReleqRewardTest, PaperShapingIsTheSlidesFormula) {
  ReleqTuner::Options options;  // a 0.6, q 3, threshold 0.8
  const ReleqReward kept = ShapedReward(0.5, 0.95, options, 0.25);
  EXPECT_FALSE(kept.below);
  EXPECT_DOUBLE_EQ(kept.reward, (1 - std::pow(0.5, 0.6)) * std::pow(0.95, 3 / 0.95));
  // At the threshold the discount is th^(q / th); under it the reward is -1.
  EXPECT_DOUBLE_EQ(ShapedReward(0.5, 0.8, options, 0.25).reward,
                   (1 - std::pow(0.5, 0.6)) * std::pow(0.8, 3 / 0.8));
  const ReleqReward lost = ShapedReward(0.25, 0.79, options, 0.25);
  EXPECT_TRUE(lost.below);
  EXPECT_EQ(lost.reward, -1);
  // Fewer bits at the same accuracy earn more; more accuracy at the same bits too.
  EXPECT_GT(ShapedReward(0.3, 0.95, options, 0.25).reward, kept.reward);
  EXPECT_GT(ShapedReward(0.5, 0.99, options, 0.25).reward, kept.reward);
  // Every layer at the most bits with the float accuracy earns nothing.
  EXPECT_DOUBLE_EQ(ShapedReward(1, 1, options, 0.25).reward, 0);
}

TEST(ReleqRewardTest, CodeShapingShiftsAndRescales) {
  ReleqTuner::Options options = ReleqTuner::Options::Parse("variant=cifar");
  // releq_cifar.py: x = Qst - 2/8, r = 1 - x^0.8, times y^(1/y), then 2 (r - 0.5).
  const double x = 0.5 - 0.25;
  EXPECT_DOUBLE_EQ(ShapedReward(0.5, 0.9, options, 0.25).reward,
                   2 * ((1 - std::pow(x, 0.8)) * std::pow(0.9, 1 / 0.9) - 0.5));
  // Every layer at the fewest bits with the float accuracy: the largest reward, 1.
  EXPECT_DOUBLE_EQ(ShapedReward(0.25, 1, options, 0.25).reward, 1);
  EXPECT_EQ(ShapedReward(0.25, 0.09, options, 0.25).reward, -1);
}

TEST(ReleqGaeTest, LambdaOneIsTheCodesAdvantage) {
  // get_gaes: deltas with the next value (0 after the last), then gaes[t] += gamma gaes[t+1].
  const std::vector<double> rewards = {0.2, -0.1, 0.5}, values = {0.3, 0.1, 0.4};
  const double g = 0.9;
  std::vector<double> deltas = {0.2 + g * 0.1 - 0.3, -0.1 + g * 0.4 - 0.1, 0.5 - 0.4};
  std::vector<double> expected = deltas;
  for (int t = 1; t >= 0; --t) expected[t] += g * expected[t + 1];
  const std::vector<double> advantages = GaeAdvantages(rewards, values, g, 1);
  ASSERT_EQ(advantages.size(), 3u);
  for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(advantages[t], expected[t], 1e-12);
  // Lambda 0: one-step temporal differences.
  const std::vector<double> one_step = GaeAdvantages(rewards, values, g, 0);
  for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(one_step[t], deltas[t], 1e-12);
}

TEST(ReleqOptionsTest, ParseVariantsAndRoundTrip) {
  const ReleqTuner::Options defaults;
  EXPECT_EQ(ReleqTuner::Options::Parse("").ToString(), defaults.ToString());
  // The variant's constants first, wherever it stands; the other keys over them.
  const ReleqTuner::Options cifar = ReleqTuner::Options::Parse("a=0.5,variant=cifar");
  EXPECT_EQ(cifar.a, 0.5);
  EXPECT_EQ(cifar.q, 1);
  EXPECT_EQ(cifar.threshold, 0.1);
  EXPECT_EQ(cifar.discount, 0.999);
  EXPECT_EQ(cifar.shaping, ReleqTuner::Shaping::kCode);
  EXPECT_EQ(cifar.learning_rate, 1e-4);
  EXPECT_EQ(cifar.entropy_coefficient, 0.01);
  EXPECT_EQ(ReleqTuner::Options::Parse("variant=svhn").discount, 0.9);
  const ReleqTuner::Options changed = ReleqTuner::Options::Parse(
      "lr=0.001,epochs=5,shaping=code,actions=stepwise,carry=1,end_below=0,update_every=2");
  EXPECT_EQ(changed.shaping, ReleqTuner::Shaping::kCode);
  EXPECT_EQ(changed.actions, ReleqTuner::ActionSpace::kStepwise);
  EXPECT_TRUE(changed.carry);
  EXPECT_FALSE(changed.end_below_threshold);
  EXPECT_EQ(ReleqTuner::Options::Parse(changed.ToString()).ToString(), changed.ToString());
  for (const char* bad : {"alpha=1", "epochs=0", "epochs=1.5", "carry=2", "shaping=mine",
                          "actions=any", "variant=mnist", "threshold=1.5", "lr"})
    EXPECT_THROW(ReleqTuner::Options::Parse(bad), Error) << bad;
}

TEST(ReleqTunerTest, RefusesStepsWithoutTheStates) {
  FakeStepProblem accel_like;  // steps, but no accuracy or quantization state
  try {
    ReleqTuner tuner(accel_like.space(), *accel_like.decision_steps(), {}, Rng(1));
    ADD_FAILURE() << "accepted steps without ReLeQ's states";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("accuracy and quantization states"),
              std::string::npos);
  }
  FakeQuantProblem problem;
  problem.mutable_steps().cost_state_metric.clear();
  EXPECT_THROW(ReleqTuner(problem.space(), *problem.decision_steps(), {}, Rng(1)), Error);
}

TEST(ReleqTunerTest, TheSameSeedProposesTheSameConfigurations) {
  auto run = [](uint64_t seed) {
    FakeQuantProblem problem;
    ReleqTuner tuner(problem.space(), *problem.decision_steps(), Small(), Rng(seed));
    return Drive(tuner, problem, 40);
  };
  const std::vector<Config> first = run(5);
  EXPECT_EQ(first.size(), 40u);
  EXPECT_EQ(run(5), first);
  EXPECT_NE(run(6), first);
}

TEST(ReleqTunerTest, NeverProposesAKnownConfiguration) {
  FakeQuantProblem problem;
  ReleqTuner tuner(problem.space(), *problem.decision_steps(), Small(), Rng(2));
  // Resumed: every layer at 8 bits, and each single layer at 2 bits.
  std::vector<Config> resumed = {Config(4, 6)};
  for (size_t layer = 0; layer < 4; ++layer) {
    resumed.push_back(Config(4, 6));
    resumed.back()[layer] = 0;
  }
  tuner.Resume(resumed, problem.Evaluate(resumed));
  const std::vector<Config> proposed = Drive(tuner, problem, 80);
  std::set<Config> seen(resumed.begin(), resumed.end());
  for (const Config& config : proposed) EXPECT_TRUE(seen.insert(config).second);
  EXPECT_EQ(proposed.size(), 80u);
  EXPECT_EQ(tuner.known().size(), 85u);
  // Steps that landed on known configurations were learned from, not proposed.
  int steps = 0;
  for (const ReleqTuner::EpisodeSummary& episode : tuner.episodes()) steps += episode.steps;
  EXPECT_GT(steps, 80);
}

TEST(ReleqTunerTest, AnEpisodeChangesOneLayerPerStepFromTheMostBits) {
  FakeQuantProblem problem;
  ReleqTuner tuner(problem.space(), *problem.decision_steps(), {}, Rng(3));
  const std::vector<Config> proposed = Drive(tuner, problem, 1);
  ASSERT_EQ(proposed.size(), 1u);
  for (size_t layer = 1; layer < 4; ++layer) EXPECT_EQ(proposed[0][layer], 6);  // 8 bits
}

TEST(ReleqTunerTest, LostAccuracyAndFailuresEndTheEpisode) {
  // The first layer at 2 bits keeps 0.7 of the accuracy: under the threshold 0.8.
  FakeQuantProblem problem;
  ReleqTuner tuner(problem.space(), *problem.decision_steps(), Small(), Rng(4));
  Drive(tuner, problem, 100);
  int early = 0;
  for (const ReleqTuner::EpisodeSummary& episode : tuner.episodes()) {
    if (episode.steps == 4) continue;
    ++early;
    EXPECT_LT(episode.accuracy_state, 0.8);
  }
  EXPECT_GT(early, 0);
  // With end_below=0 (the code's) every episode walks every layer.
  ReleqTuner going_on(problem.space(), *problem.decision_steps(), Small("end_below=0"), Rng(4));
  Drive(going_on, problem, 40);
  for (const ReleqTuner::EpisodeSummary& episode : going_on.episodes()) EXPECT_EQ(episode.steps, 4);
  // An evaluation that fails: reward -1 and the episode ends at that step.
  FakeQuantProblem failing({{1, 0.1, 0.1}, {1, 0.1, 0.1}}, 0.9,
                           [](const std::vector<int>& bits) { return bits[0] < 8; });
  ReleqTuner failed(failing.space(), *failing.decision_steps(), Small("max_known_steps=20"),
                    Rng(4));
  Drive(failed, failing, 20);
  int failures = 0;
  for (const ReleqTuner::EpisodeSummary& episode : failed.episodes()) {
    if (episode.steps > 1) continue;  // the first layer kept its 8 bits
    ++failures;
    EXPECT_EQ(episode.total_reward, -1);
  }
  EXPECT_GT(failures, 0);
}

TEST(ReleqTunerTest, StepwiseActionsMoveOneLevel) {
  FakeQuantProblem problem;
  ReleqTuner reset(problem.space(), *problem.decision_steps(), Small("actions=stepwise"), Rng(5));
  // From 8 bits each episode, one step down at most: 7 or 8 bits everywhere.
  const std::vector<Config> near = Drive(reset, problem, 15);
  EXPECT_EQ(near.size(), 15u);
  for (const Config& config : near)
    for (int32_t level : config) EXPECT_GE(level, 5);
  // Carried from episode to episode, the bits go further.
  ReleqTuner carried(problem.space(), *problem.decision_steps(), Small("actions=stepwise,carry=1"),
                     Rng(5));
  const std::vector<Config> far = Drive(carried, problem, 60);
  int lowest = 6;
  for (const Config& config : far)
    lowest = std::min(lowest, *std::min_element(config.begin(), config.end()));
  EXPECT_LT(lowest, 5);
}

TEST(ReleqTunerTest, ACollapsedPolicyEndsTheSearch) {
  // One layer of seven bitwidths: after the seven, every step lands on a known one.
  FakeQuantProblem problem({{1, 0.01, 0.1}});
  ReleqTuner tuner(problem.space(), *problem.decision_steps(), Small("max_known_steps=10"), Rng(6));
  const std::vector<Config> proposed = Drive(tuner, problem, 100);
  EXPECT_LE(proposed.size(), 7u);
  EXPECT_TRUE(tuner.NextBatch(1).empty());
}

// On a LeNet-like problem whose big fully connected layer loses little accuracy at 2 bits, the
// agent learns to quantize it: its last episodes end with a smaller quantization state and earn
// more than its first.
TEST(ReleqTunerTest, LearnsToLowerTheQuantizationState) {
  FakeQuantProblem problem;
  ReleqTuner tuner(problem.space(), *problem.decision_steps(), {}, Rng(7));
  Drive(tuner, problem, 1000, 200);
  const std::vector<ReleqTuner::EpisodeSummary>& episodes = tuner.episodes();
  ASSERT_GE(episodes.size(), 200u);
  using S = ReleqTuner::EpisodeSummary;
  const double first_state = MeanOf(episodes, 0, 30, &S::quantization_state);
  const double last_state = MeanOf(episodes, 170, 200, &S::quantization_state);
  const double first_reward = MeanOf(episodes, 0, 30, &S::total_reward);
  const double last_reward = MeanOf(episodes, 170, 200, &S::total_reward);
  EXPECT_LT(last_state, first_state - 0.1) << first_state << " -> " << last_state;
  EXPECT_GT(last_reward, first_reward + 0.3) << first_reward << " -> " << last_reward;
  EXPECT_EQ(tuner.updates(), static_cast<int>(episodes.size()));
}

}  // namespace
}  // namespace tessel
