#include "tune/genetic_tuner.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "core/error.h"
#include "engine/fake_problem.h"
#include "space/huge_space_test_util.h"
#include "tune/presets.h"
#include "tune/tuning.h"

namespace tessel {
namespace {

// 4 knobs of 16 values, a few invalid corners; the optimum is at (12, 3, 8, 5).
Space FourKnobs() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b", "c", "d"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 16; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  return Space(knobs, [](const Space&, const Config& c) { return c[0] + c[1] != 30; });
}

double Bowl(const std::vector<double>& f) {
  const double target[] = {12 / 15.0, 3 / 15.0, 8 / 15.0, 5 / 15.0};
  double sum = 1;
  for (int i = 0; i < 4; ++i) sum += (f[i] - target[i]) * (f[i] - target[i]);
  return sum;
}

// The best value after `trials` evaluations of the preset, and every proposal.
double Best(std::string_view preset, uint64_t seed, int trials, std::vector<Config>* proposed) {
  std::vector<TuningTask> tasks;
  tasks.push_back({"bowl", 1, 0, std::make_unique<FakeProblem>(FourKnobs(), Bowl)});
  TuningOptions options;
  options.trials = trials;
  options.seed = seed;
  options.progress = false;
  options.strategy = [&](const StrategyInputs& inputs) {
    return MakeStrategy(FindPreset(preset), {inputs.problem.space(), &inputs.featurizer}, {},
                        inputs.rng);
  };
  TuningCallbacks callbacks;
  callbacks.on_batch.push_back([&](const TaskBatch& batch) {
    if (proposed) proposed->insert(proposed->end(), batch.configs.begin(), batch.configs.end());
  });
  return Tune(tasks, nullptr, options, callbacks).tasks[0].best_value;
}

TEST(GeneticTunerTest, ProposesValidNewConfigurationsReproducibly) {
  std::vector<Config> proposed, again;
  Best("ga", 3, 300, &proposed);
  Best("ga", 3, 300, &again);
  ASSERT_EQ(proposed.size(), 300u);
  EXPECT_EQ(proposed, again);
  std::set<Config> distinct(proposed.begin(), proposed.end());
  EXPECT_EQ(distinct.size(), proposed.size());
  for (const Config& config : proposed) EXPECT_TRUE(FourKnobs().IsValid(config));
}

// Breeding from the best beats uniform draws on a smooth landscape, seed after seed.
TEST(GeneticTunerTest, FindsBetterConfigurationsThanRandomSearch) {
  double genetic = 0, random = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    genetic += Best("ga", seed, 200, nullptr);
    random += Best("random", seed, 200, nullptr);
  }
  EXPECT_LT(genetic, random);
}

TEST(GeneticTunerTest, ExhaustsASmallSpaceWithoutRepeating) {
  std::vector<Knob> knobs = {{"x", {int64_t{1}, int64_t{2}, int64_t{3}}},
                             {"y", {std::string("p"), std::string("q")}}};
  const Space space(knobs);
  GeneticTuner tuner(space, {}, Rng(1));
  std::set<Config> seen;
  for (std::vector<Config> batch; !(batch = tuner.NextBatch(4)).empty();) {
    std::vector<Evaluation> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) results[i].value = double(batch[i][0]);
    for (const Config& config : batch) EXPECT_TRUE(seen.insert(config).second);
    tuner.Update(batch, results);
  }
  EXPECT_EQ(seen.size(), 6u);
}

// Breeding, resuming and the random draws that stand in for failed breeding all keep working
// in a space of over 2^64 configurations (60 knobs of 1536 values, as the accelerator
// problem's), where configurations have no flat index.
TEST(GeneticTunerTest, ProposesDistinctConfigurationsOfASpaceBeyondFlatIndices) {
  const Space space = HugeSpace();
  ASSERT_FALSE(space.indexable());
  // Lower indices are better, so that breeding has something to follow.
  auto evaluate = [](const std::vector<Config>& batch) {
    std::vector<Evaluation> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      results[i].value = std::accumulate(batch[i].begin(), batch[i].end(), 0.0);
    return results;
  };
  GeneticTuner tuner(space, {}, Rng(4));
  Rng resumed_rng(8);
  std::vector<Config> resumed;
  for (int i = 0; i < 5; ++i) resumed.push_back(*space.SampleValid(resumed_rng));
  tuner.Resume(resumed, evaluate(resumed));
  ConfigSet seen(resumed.begin(), resumed.end());
  size_t proposed = 0;
  while (proposed < 200) {
    const std::vector<Config> batch = tuner.NextBatch(8);
    ASSERT_FALSE(batch.empty());
    for (const Config& config : batch) {
      EXPECT_TRUE(space.IsValid(config));
      EXPECT_TRUE(seen.insert(config).second);
    }
    tuner.Update(batch, evaluate(batch));
    proposed += batch.size();
  }
  EXPECT_EQ(seen.size(), proposed + resumed.size());
}

TEST(GeneticTunerTest, OptionsParseAndBadOnesAreErrors) {
  const GeneticTuner::Options options = GeneticTuner::Options::Parse("population=30,parents=6");
  EXPECT_EQ(options.population, 30);
  EXPECT_EQ(options.parents, 6);
  EXPECT_EQ(options.ToString(), "population=30,parents=6,mutation=0.1");
  for (const char* bad : {"population=1", "parents=40", "mutation=2", "elitism=1", "parents"})
    EXPECT_THROW(GeneticTuner::Options::Parse(bad), Error) << bad;
}

}  // namespace
}  // namespace tessel
