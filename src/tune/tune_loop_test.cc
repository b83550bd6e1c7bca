#include "tune/tune_loop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "measure/fake_measurer.h"
#include "tune/random_tuner.h"

namespace tessel {
namespace {

// 10 x 10 x 4 configurations; odd sums of the first two knobs are invalid.
Space GridSpace() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 10; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  knobs.push_back({"c", {std::string("p"), std::string("q"), std::string("r"), std::string("s")}});
  return Space(knobs, [](const Space&, const Config& c) { return (c[0] + c[1]) % 2 == 0; });
}

double Bowl(const std::vector<double>& f) {
  return 1 + (f[0] - 0.2) * (f[0] - 0.2) + (f[1] - 0.6) * (f[1] - 0.6) + f[2];
}

TuneOptions Quiet(int trials) {
  TuneOptions options;
  options.trials = trials;
  options.progress = false;
  return options;
}

TEST(RandomTunerTest, ProposesEachValidConfigurationOnce) {
  const Space space = GridSpace();
  RandomTuner tuner(space, Rng(3));
  std::set<uint64_t> seen;
  for (;;) {
    const std::vector<Config> batch = tuner.NextBatch(7);
    if (batch.empty()) break;
    for (const Config& config : batch) {
      EXPECT_TRUE(space.IsValid(config));
      EXPECT_TRUE(seen.insert(space.FlatIndex(config)).second);
    }
  }
  EXPECT_EQ(seen.size(), 200u);  // half of 10 x 10, times 4
}

TEST(RandomTunerTest, SampledLargeSpacesNeverRepeat) {
  std::vector<Knob> knobs;
  for (int k = 0; k < 4; ++k) {
    Knob knob{"k" + std::to_string(k), {}};
    for (int64_t v = 0; v < 100; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  const Space space(knobs);
  ASSERT_GT(space.Size(), RandomTuner::kEnumerateLimit);
  RandomTuner tuner(space, Rng(1));
  std::set<uint64_t> seen;
  for (int i = 0; i < 50; ++i)
    for (const Config& config : tuner.NextBatch(20))
      EXPECT_TRUE(seen.insert(space.FlatIndex(config)).second);
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(GridTunerTest, EnumeratesInFlatOrderAndRefusesHugeSpaces) {
  const Space space = GridSpace();
  GridTuner tuner(space);
  std::vector<Config> all;
  for (std::vector<Config> batch; !(batch = tuner.NextBatch(64)).empty();)
    all.insert(all.end(), batch.begin(), batch.end());
  ASSERT_EQ(all.size(), 200u);
  for (size_t i = 1; i < all.size(); ++i)
    EXPECT_LT(space.FlatIndex(all[i - 1]), space.FlatIndex(all[i]));
  std::vector<Knob> knobs;
  for (int k = 0; k < 4; ++k) {
    Knob knob{"k" + std::to_string(k), {}};
    for (int64_t v = 0; v < 100; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  EXPECT_THROW(MakeTuner(TunerKind::kGrid, {Space(knobs)}, Rng(0)), Error);
}

TEST(TuneLoopTest, GridFindsTheOptimumAndStopsWhenExhausted) {
  const Space space = GridSpace();
  FakeMeasurer measurer(space, Bowl);
  auto tuner = MakeTuner(TunerKind::kGrid, {space}, Rng(0));
  const TuneResult result = Tune("grid", 0, *tuner, measurer, Quiet(1000), nullptr);
  EXPECT_EQ(result.measurements, 200);
  ASSERT_TRUE(result.best.has_value());
  EXPECT_EQ(space.ToText(*result.best), "a=2;b=6;c=p");
  EXPECT_DOUBLE_EQ(result.best_time_ms,
                   1.0 + std::pow(2.0 / 9 - 0.2, 2) + std::pow(6.0 / 9 - 0.6, 2));
}

TEST(TuneLoopTest, FailuresNeverBecomeTheBest) {
  const Space space = GridSpace();
  // Every configuration better than 1.2 fails; the best must be a measured success.
  FakeMeasurer measurer(space, Bowl,
                        [&](const Config& c) { return Bowl(space.NormalisedFeatures(c)) < 1.2; });
  std::vector<MeasureResult> seen;
  auto tuner = MakeTuner(TunerKind::kRandom, {space}, Rng(9));
  const TuneResult result =
      Tune("fail", 0, *tuner, measurer, Quiet(120),
           [&](const std::vector<Config>&, const std::vector<MeasureResult>& batch) {
             seen.insert(seen.end(), batch.begin(), batch.end());
           });
  EXPECT_EQ(result.measurements, 120);
  EXPECT_EQ(seen.size(), 120u);
  ASSERT_TRUE(result.best.has_value());
  EXPECT_GE(result.best_time_ms, 1.2);
  int failures = 0;
  for (const MeasureResult& r : seen) failures += !r.ok();
  EXPECT_GT(failures, 0);
}

TEST(TuneLoopTest, CurveIsBestSoFarWithNanBeforeTheFirstSuccess) {
  const Space space = GridSpace();
  int calls = 0;
  FakeMeasurer measurer(space, Bowl, [&](const Config&) { return ++calls <= 3; });
  auto tuner = MakeTuner(TunerKind::kRandom, {space}, Rng(2));
  const TuneResult result = Tune("curve", 0, *tuner, measurer, Quiet(30), nullptr);
  ASSERT_EQ(result.curve.size(), 30u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(result.curve[i]));
  for (size_t i = 4; i < result.curve.size(); ++i) EXPECT_LE(result.curve[i], result.curve[i - 1]);
  EXPECT_EQ(result.curve.back(), result.best_time_ms);
  ASSERT_EQ(result.elapsed_seconds.size(), 30u);
  for (size_t i = 1; i < result.elapsed_seconds.size(); ++i)
    EXPECT_GE(result.elapsed_seconds[i], result.elapsed_seconds[i - 1]);
  EXPECT_LE(result.elapsed_seconds.back(), result.wall_seconds);
}

TEST(TuneLoopTest, EarlyStoppingEndsARunThatStoppedImproving) {
  const Space space = GridSpace();
  FakeMeasurer measurer(space, [](const std::vector<double>&) { return 1.0; });
  auto tuner = MakeTuner(TunerKind::kRandom, {space}, Rng(2));
  TuneOptions options = Quiet(200);
  options.batch_size = 1;
  options.early_stopping = 10;
  const TuneResult result = Tune("flat", 0, *tuner, measurer, options, nullptr);
  EXPECT_EQ(result.measurements, 11);  // the first success, then 10 without improvement
}

TEST(TuneLoopTest, SameSeedSameChoices) {
  const Space space = GridSpace();
  auto run = [&](uint64_t seed) {
    FakeMeasurer measurer(space, Bowl);
    auto tuner = MakeTuner(TunerKind::kRandom, {space}, Rng(seed));
    std::vector<Config> order;
    Tune("seeded", 0, *tuner, measurer, Quiet(40),
         [&](const std::vector<Config>& configs, const std::vector<MeasureResult>&) {
           order.insert(order.end(), configs.begin(), configs.end());
         });
    return order;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

TEST(TuneLoopTest, BadOptionsAreErrors) {
  EXPECT_THROW(Quiet(0).Validate(), Error);
  TuneOptions options = Quiet(1);
  options.early_stopping = -1;
  EXPECT_THROW(options.Validate(), Error);
  EXPECT_THROW(TunerKindFromName("annealing"), Error);
}

}  // namespace
}  // namespace tessel
