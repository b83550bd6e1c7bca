#include "costmodel/bootstrap_ensemble.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "costmodel/synthetic_cost_test_util.h"

namespace tessel {
namespace {

std::vector<Config> Draw(const Space& space, int count, uint64_t seed) {
  Rng rng(seed);
  std::vector<Config> configs;
  for (int i = 0; i < count; ++i) configs.push_back(*space.SampleValid(rng));
  return configs;
}

std::vector<double> Times(const Space& space, const std::vector<Config>& configs) {
  std::vector<double> times;
  for (const Config& c : configs) times.push_back(SyntheticCostTime(space, c));
  return times;
}

// The share of pairs with different speeds that the scores order like the speeds.
double Concordance(const std::vector<double>& scores, const std::vector<double>& times) {
  double agree = 0, pairs = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    for (size_t j = i + 1; j < scores.size(); ++j) {
      if (times[i] == times[j]) continue;
      pairs += 1;
      agree += (scores[i] > scores[j]) == (times[i] < times[j]);
    }
  return agree / pairs;
}

TEST(BootstrapEnsembleTest, RanksHeldOutConfigurations) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  BootstrapEnsemble ensemble(features, {}, Rng(1));
  const std::vector<Config> train = Draw(space, 300, 1), test = Draw(space, 300, 2);
  ensemble.Fit(train, Times(space, train));
  EXPECT_GT(Concordance(ensemble.Predict(test), Times(space, test)), 0.8);
}

TEST(BootstrapEnsembleTest, MembersDisagreeMoreWithLessData) {
  // The spread says how far the measurements pin the model down: fitted on 24 points the
  // members disagree more, relative to the range of their mean, than fitted on 400.
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const std::vector<Config> test = Draw(space, 300, 9);
  auto relative_spread = [&](int points) {
    BootstrapEnsemble ensemble(features, {}, Rng(3));
    const std::vector<Config> train = Draw(space, points, 4);
    ensemble.Fit(train, Times(space, train));
    const FitnessEstimate scores = ensemble.PredictWithSpread(test);
    const auto [low, high] = std::minmax_element(scores.mean.begin(), scores.mean.end());
    const double spread =
        std::accumulate(scores.spread.begin(), scores.spread.end(), 0.0) / test.size();
    return spread / (*high - *low);
  };
  EXPECT_GT(relative_spread(24), 1.5 * relative_spread(400));
}

TEST(BootstrapEnsembleTest, OneMemberHasNoSpreadAndTheWeightAddsIt) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const std::vector<Config> train = Draw(space, 100, 5), test = Draw(space, 50, 6);
  BootstrapEnsemble::Options one;
  one.members = 1;
  BootstrapEnsemble single(features, one, Rng(2));
  single.Fit(train, Times(space, train));
  for (double spread : single.PredictWithSpread(test).spread) EXPECT_EQ(spread, 0);

  BootstrapEnsemble::Options weighted;
  weighted.spread_weight = 2;
  BootstrapEnsemble plain(features, {}, Rng(2)), optimistic(features, weighted, Rng(2));
  plain.Fit(train, Times(space, train));
  optimistic.Fit(train, Times(space, train));
  const FitnessEstimate scores = plain.PredictWithSpread(test);
  const std::vector<double> boosted = optimistic.Predict(test);
  double total_spread = 0;
  for (size_t i = 0; i < test.size(); ++i) {
    EXPECT_NEAR(boosted[i], scores.mean[i] + 2 * scores.spread[i], 1e-9);
    total_spread += scores.spread[i];
  }
  EXPECT_GT(total_spread, 0);
}

TEST(BootstrapEnsembleTest, RegressingMembersEstimateFitnessAndHowSureTheyAre) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const std::vector<Config> train = Draw(space, 200, 10), test = Draw(space, 200, 11);
  BootstrapEnsemble ranker(features, {}, Rng(6));
  ranker.Fit(train, Times(space, train));
  EXPECT_EQ(ranker.EstimateFitness(test), std::nullopt);  // a ranker's scores only order

  BootstrapEnsemble::Options options;
  options.model.objective = XgbCostModel::Objective::kRegression;
  BootstrapEnsemble ensemble(features, options, Rng(6));
  const std::vector<double> train_times = Times(space, train);
  ensemble.Fit(train, train_times);
  const std::optional<FitnessEstimate> estimate = ensemble.EstimateFitness(test);
  ASSERT_TRUE(estimate);
  // Fitness is the best training time over a configuration's time: the estimate tracks it,
  // within a few of its own standard deviations, and is never sure of itself.
  const double best = *std::min_element(train_times.begin(), train_times.end());
  const std::vector<double> test_times = Times(space, test);
  double error = 0, spread = 0;
  for (size_t i = 0; i < test.size(); ++i) {
    error += std::abs(estimate->mean[i] - best / test_times[i]);
    spread += estimate->spread[i];
    EXPECT_GT(estimate->spread[i], 0);
  }
  EXPECT_LT(error / test.size(), 0.15);
  EXPECT_LT(error, 3 * spread);
  EXPECT_GT(Concordance(estimate->mean, test_times), 0.8);
}

TEST(BootstrapEnsembleTest, SameSeedSamePredictionsAndUnfittedScoresZero) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const std::vector<Config> train = Draw(space, 80, 7), test = Draw(space, 40, 8);
  BootstrapEnsemble first(features, {}, Rng(4)), second(features, {}, Rng(4)),
      other(features, {}, Rng(5));
  EXPECT_EQ(first.Predict(test), std::vector<double>(test.size(), 0.0));
  for (BootstrapEnsemble* ensemble : {&first, &second, &other})
    ensemble->Fit(train, Times(space, train));
  EXPECT_EQ(first.Predict(test), second.Predict(test));
  EXPECT_NE(first.Predict(test), other.Predict(test));
  BootstrapEnsemble::Options bad;
  bad.members = 0;
  EXPECT_THROW(BootstrapEnsemble(features, bad, Rng(1)), Error);
}

}  // namespace
}  // namespace tessel
