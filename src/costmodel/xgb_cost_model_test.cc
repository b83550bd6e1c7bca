#include "costmodel/xgb_cost_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "costmodel/synthetic_cost_test_util.h"

namespace tessel {
namespace {

std::vector<double> Ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (size_t r = 0; r < order.size(); ++r) ranks[order[r]] = static_cast<double>(r);
  return ranks;
}

double Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const std::vector<double> rx = Ranks(x), ry = Ranks(y);
  double sum = 0;
  for (size_t i = 0; i < rx.size(); ++i) sum += (rx[i] - ry[i]) * (rx[i] - ry[i]);
  const double n = static_cast<double>(rx.size());
  return 1 - 6 * sum / (n * (n * n - 1));
}

struct Split {
  std::vector<Config> train, test;
};

Split Sample(const Space& space, uint64_t seed) {
  Rng rng(seed);
  std::vector<Config> all;
  for (uint64_t i = 0; i < space.Size(); ++i) all.push_back(space.FromFlatIndex(i));
  for (size_t i = all.size(); i > 1; --i)
    std::swap(all[i - 1], all[rng.UniformInt(0, static_cast<int64_t>(i) - 1)]);
  return {{all.begin(), all.begin() + 300}, {all.begin() + 300, all.begin() + 600}};
}

void ExpectRanksHeldOutConfigurations(XgbCostModel::Objective objective) {
  const Space space = SyntheticCostSpace();
  const Split split = Sample(space, 1);
  std::vector<double> times;
  for (const Config& c : split.train) times.push_back(SyntheticCostTime(space, c));
  XgbCostModel::Options options;
  options.objective = objective;
  const KnobFeaturizer features(space);
  XgbCostModel model(features, options);
  model.Fit(split.train, times);
  EXPECT_GT(model.rounds(), 0);
  const std::vector<double> scores = model.Predict(split.test);
  std::vector<double> speed;  // higher is better, as the scores
  for (const Config& c : split.test) speed.push_back(1 / SyntheticCostTime(space, c));
  EXPECT_GT(Spearman(scores, speed), 0.85);
}

TEST(XgbCostModelTest, RankObjectiveOrdersAKnownFunction) {
  ExpectRanksHeldOutConfigurations(XgbCostModel::Objective::kRank);
}

TEST(XgbCostModelTest, RegressionObjectiveOrdersAKnownFunction) {
  ExpectRanksHeldOutConfigurations(XgbCostModel::Objective::kRegression);
}

TEST(XgbCostModelTest, FailuresAreLearntAsTheWorstCost) {
  const Space space = SyntheticCostSpace();
  const Split split = Sample(space, 2);
  // Mode r always fails; otherwise it would be as fast as mode p.
  auto fails = [&](const Config& c) { return space.TextValue(c, "mode") == "r"; };
  std::vector<double> times;
  for (const Config& c : split.train)
    times.push_back(fails(c) ? std::nan("") : SyntheticCostTime(space, c));
  const KnobFeaturizer features(space);
  XgbCostModel model(features, {});
  model.Fit(split.train, times);
  const std::vector<double> scores = model.Predict(split.test);
  double failing = 0, working = 0;
  int failing_count = 0, working_count = 0;
  for (size_t i = 0; i < split.test.size(); ++i) {
    if (fails(split.test[i])) {
      failing += scores[i];
      ++failing_count;
    } else if (space.TextValue(split.test[i], "mode") == "p") {
      working += scores[i];
      ++working_count;
    }
  }
  ASSERT_GT(failing_count, 0);
  ASSERT_GT(working_count, 0);
  EXPECT_LT(failing / failing_count, working / working_count);
}

TEST(XgbCostModelTest, SameDataSameSeedSamePredictions) {
  const Space space = SyntheticCostSpace();
  const Split split = Sample(space, 3);
  std::vector<double> times;
  for (const Config& c : split.train) times.push_back(SyntheticCostTime(space, c));
  const KnobFeaturizer features(space);
  XgbCostModel first(features, {}), second(features, {});
  first.Fit(split.train, times);
  second.Fit(split.train, times);
  EXPECT_EQ(first.Predict(split.test), second.Predict(split.test));
}

TEST(XgbCostModelTest, UnfittedModelAndBadOptions) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  XgbCostModel model(features, {});
  EXPECT_EQ(model.Predict({{0, 0, 0}, {1, 1, 1}}), (std::vector<double>{0, 0}));
  XgbCostModel::Options options;
  options.max_depth = 0;
  EXPECT_THROW(XgbCostModel(features, options), Error);
  options = {};
  options.holdout_fraction = 1;
  EXPECT_THROW(options.Validate(), Error);
}

// Another task's rows: the synthetic landscape `slowdown` times as slow.
FeatureRows HistoryOf(const Space& space, const Featurizer& features,
                      const std::vector<Config>& configs, double slowdown) {
  FeatureRows history;
  std::vector<double> history_ms;
  for (const Config& c : configs) {
    history.features.push_back(features.Features(c));
    history_ms.push_back(slowdown * SyntheticCostTime(space, c));
  }
  history.fitness = Fitness(history_ms);
  return history;
}

// Transfer: a base model fitted on rows of "another task" ranks this task's configurations
// before seeing any of them, and fades out as the task's own measurements accumulate.
TEST(XgbCostModelTest, BaseModelRanksBeforeAnyDataAndFadesOut) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const Split split = Sample(space, 4);
  // The other task: the same landscape, twice as slow, which per-task fitness normalises away.
  const FeatureRows history = HistoryOf(space, features, split.train, 2);
  XgbCostModel model(features, {});
  EXPECT_FALSE(model.FitBaseModel({}));
  ASSERT_TRUE(model.FitBaseModel(history));
  std::vector<double> speed;
  for (const Config& c : split.test) speed.push_back(-SyntheticCostTime(space, c));
  EXPECT_GT(Spearman(model.Predict(split.test), speed), 0.8);

  // 300 own measurements: the discount 2^(-300/64) is below 0.05, so the base is dropped.
  std::vector<double> own;
  for (const Config& c : split.test) own.push_back(SyntheticCostTime(space, c));
  model.Fit(std::vector<Config>(split.test.begin(), split.test.begin() + 100),
            std::vector<double>(own.begin(), own.begin() + 100));
  EXPECT_TRUE(model.has_base_model());
  model.Fit(split.test, own);
  EXPECT_FALSE(model.has_base_model());
}

// A base model depends on its rows and boosting options only, not on the model's seed: models
// of several tasks (or ensemble members) given the same prior predict alike from it.
TEST(XgbCostModelTest, BaseModelsOfTheSameRowsAgreeWhateverTheSeed) {
  const Space space = SyntheticCostSpace();
  const KnobFeaturizer features(space);
  const Split split = Sample(space, 5);
  const FeatureRows history = HistoryOf(space, features, split.train, 1);
  XgbCostModel::Options one, other;
  one.seed = 1;
  other.seed = 2;
  XgbCostModel first(features, one), second(features, other);
  ASSERT_TRUE(first.FitBaseModel(history));
  ASSERT_TRUE(second.FitBaseModel(history));
  EXPECT_EQ(first.Predict(split.test), second.Predict(split.test));
  // Other rows, another model.
  FeatureRows fewer = history;
  fewer.features.resize(fewer.features.size() / 2);
  fewer.fitness.resize(fewer.features.size());
  XgbCostModel third(features, one);
  ASSERT_TRUE(third.FitBaseModel(fewer));
  EXPECT_NE(third.Predict(split.test), first.Predict(split.test));
}

TEST(XgbCostModelTest, FitnessIsBestOverTimeAndZeroForFailures) {
  EXPECT_EQ(Fitness({2.0, 4.0, std::nan(""), INFINITY, 0.0, 1.0}),
            (std::vector<float>{0.5f, 0.25f, 0, 0, 0, 1}));
}

}  // namespace
}  // namespace tessel
