#include "tune/confuciux_ga.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "tune/fake_step_problem.h"

namespace tessel {
namespace {

// Every layer on 4 PEs with its ideal tile: within the budget (4 x 40 + 15 <= 358).
Config FourPesEverywhere() {
  Config config(8);
  const int64_t tiles[] = {2, 7, 1, 5};
  for (size_t layer = 0; layer < 4; ++layer) {
    config[FakeStepProblem::PeKnob(layer)] = 3;
    config[FakeStepProblem::TileKnob(layer)] = static_cast<int32_t>(tiles[layer] - 1);
  }
  return config;
}

double Constraint(const FakeStepProblem& problem, const Config& config) {
  double total = 0;
  for (size_t step = 0; step < 4; ++step)
    total += problem.decision_steps()->step_constraint(step, config);
  return total;
}

ConfuciuxGa MakeGa(FakeStepProblem& problem, const ConfuciuxGa::Options& options, uint64_t seed,
                   const Config& start) {
  return ConfuciuxGa(problem.space(), *problem.decision_steps(), options, Rng(seed), start,
                     problem.EvaluateOne(start), {});
}

// Runs generations with the loop's batch size, returning every proposal.
std::vector<Config> Drive(ConfuciuxGa& ga, FakeStepProblem& problem, int evaluations) {
  std::vector<Config> proposed;
  while (static_cast<int>(proposed.size()) < evaluations) {
    const std::vector<Config> batch =
        ga.NextBatch(std::min(8, evaluations - static_cast<int>(proposed.size())));
    if (batch.empty()) break;
    ga.Update(batch, problem.Evaluate(batch));
    proposed.insert(proposed.end(), batch.begin(), batch.end());
  }
  return proposed;
}

TEST(ConfuciuxGaTest, MutationStaysWithinTheBudget) {
  FakeStepProblem problem;
  ConfuciuxGa::Options options;
  options.crossover = 0;  // crossover alone may leave the budget, as in ConfuciuX
  options.alpha = 1;
  ConfuciuxGa ga = MakeGa(problem, options, 7, FourPesEverywhere());
  // The first generation mutates copies of the start, whose budget left is exact.
  const std::vector<Config> first = ga.NextBatch(20);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(ga.generations(), 1);
  for (const Config& config : first)
    EXPECT_LE(Constraint(problem, config), problem.decision_steps()->budget);
  ga.Update(first, problem.Evaluate(first));
}

TEST(ConfuciuxGaTest, MovesPesOffTheLevelsAndNeverProposesTwice) {
  FakeStepProblem problem;
  const Config start = FourPesEverywhere();
  ConfuciuxGa ga = MakeGa(problem, {}, 3, start);
  const std::vector<Config> proposed = Drive(ga, problem, 200);
  EXPECT_EQ(proposed.size(), 200u);
  const std::set<Config> distinct(proposed.begin(), proposed.end());
  EXPECT_EQ(distinct.size(), proposed.size());
  EXPECT_FALSE(distinct.count(start));
  const std::set<int64_t> levels = {1, 2, 4, 8, 16};
  bool off_levels = false;
  double best = problem.EvaluateOne(start).value;
  for (const Config& config : proposed) {
    EXPECT_TRUE(problem.space().IsValid(config));
    for (size_t layer = 0; layer < 4; ++layer)
      off_levels |= !levels.count(FakeStepProblem::Pe(config, layer));
    const Evaluation evaluation = problem.EvaluateOne(config);
    if (evaluation.ok()) best = std::min(best, evaluation.value);
  }
  EXPECT_TRUE(off_levels);
  EXPECT_LT(best, problem.EvaluateOne(start).value);  // it improved on its start
}

TEST(ConfuciuxGaTest, FineTunesToTheOptimum) {
  FakeStepProblem problem;
  ConfuciuxGa ga = MakeGa(problem, {}, 1, FourPesEverywhere());
  double best = INFINITY;
  for (const Config& config : Drive(ga, problem, 1500)) {
    const Evaluation evaluation = problem.EvaluateOne(config);
    if (evaluation.ok()) best = std::min(best, evaluation.value);
  }
  EXPECT_LE(best, problem.Optimum() * 1.02);
}

TEST(ConfuciuxGaTest, SameSeedSameGenerations) {
  FakeStepProblem problem;
  auto run = [&](uint64_t seed) {
    ConfuciuxGa ga = MakeGa(problem, {}, seed, FourPesEverywhere());
    return Drive(ga, problem, 60);
  };
  EXPECT_EQ(run(4), run(4));
  EXPECT_NE(run(4), run(5));
}

TEST(ConfuciuxGaTest, InvalidIndividualsShrinkTheParents) {
  // Only 4 PEs can be mapped: most mutations make an individual invalid, and the next
  // generation has fewer parents (max(1, min(8, 20 - invalid))).
  FakeStepProblem problem({{100, 2}, {400, 7}, {50, 1}, {200, 5}},
                          [](size_t, int64_t pe, int64_t) { return pe != 4; });
  ConfuciuxGa::Options options;
  ConfuciuxGa ga = MakeGa(problem, options, 9, FourPesEverywhere());
  int fewest = options.parents;
  for (int generation = 0; generation < 10; ++generation) {
    Drive(ga, problem, 20);
    fewest = std::min(fewest, ga.parents());
  }
  EXPECT_LT(fewest, options.parents);
  EXPECT_GT(ga.invalid(), 0);
}

TEST(ConfuciuxGaTest, KnobsOfOtherValuesMoveOnTheirIndices) {
  // PE counts that are powers of two only: the GA moves their indices, 1..5.
  std::vector<Knob> knobs;
  for (size_t layer = 0; layer < 2; ++layer) {
    Knob pe{"pe." + std::to_string(layer), {}};
    for (int64_t value : {1, 2, 4, 8, 16}) pe.values.emplace_back(value);
    knobs.push_back(std::move(pe));
  }
  const Space space(knobs);
  DecisionSteps steps;
  for (size_t layer = 0; layer < 2; ++layer) {
    DecisionStep step;
    step.features = {1};
    step.knobs = {layer};
    step.levels = {{0, 1, 2, 3, 4}};
    step.objective_metric = "latency." + std::to_string(layer);
    steps.steps.push_back(step);
  }
  auto evaluate = [&](const Config& config) {
    Evaluation evaluation;
    evaluation.value = 0;
    for (size_t layer = 0; layer < 2; ++layer) {
      const double latency = 100.0 / std::get<int64_t>(space.Value(config, layer));
      evaluation.metrics["latency." + std::to_string(layer)] = latency;
      evaluation.value += latency;
    }
    return evaluation;
  };
  ConfuciuxGa::Options options;
  options.alpha = 1;  // with 0.5, trunc(U(-0.5, 0.5) x (5 / 2)) is always 0
  ConfuciuxGa ga(space, steps, options, Rng(1), {0, 0}, evaluate({0, 0}), {});
  std::set<Config> seen;
  for (int round = 0; round < 30; ++round) {
    const std::vector<Config> batch = ga.NextBatch(8);
    if (batch.empty()) break;
    std::vector<Evaluation> results;
    for (const Config& config : batch) {
      EXPECT_TRUE(space.InRange(config));
      EXPECT_TRUE(seen.insert(config).second);
      results.push_back(evaluate(config));
    }
    ga.Update(batch, results);
  }
  EXPECT_TRUE(seen.count({4, 4}));  // the best: 16 PEs on both
}

TEST(ConfuciuxGaTest, RejectsBadOptions) {
  FakeStepProblem problem;
  ConfuciuxGa::Options options;
  options.parents = 21;
  EXPECT_THROW(MakeGa(problem, options, 1, FourPesEverywhere()), Error);
  options = {};
  options.crossover = 2;
  EXPECT_THROW(MakeGa(problem, options, 1, FourPesEverywhere()), Error);
}

}  // namespace
}  // namespace tessel
