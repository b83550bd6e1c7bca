#include "problems/accel/accel_problem.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

AccelOptions AreaBudget(double ratio) {
  AccelOptions options;
  options.budget = AccelBudget{"area", ratio, std::nullopt};
  return options;
}

Config ExampleConfig(const Space& space, const std::string& text) { return space.FromText(text); }

TEST(AccelProblemTest, HasTwoKnobsPerLayer) {
  AccelProblem problem(FindLayerTable("alexnet"), {});
  const Space& space = problem.space();
  ASSERT_EQ(space.num_knobs(), 10u);
  EXPECT_EQ(space.knobs()[0].name, "pe.1");
  EXPECT_EQ(space.knobs()[1].name, "kt.1");
  EXPECT_EQ(space.knobs()[9].name, "kt.5");
  EXPECT_EQ(space.knobs()[0].values.size(), 128u);
  EXPECT_EQ(space.knobs()[1].values.size(), 12u);
  EXPECT_EQ(problem.objective().name, "latency");
  EXPECT_EQ(problem.key().problem, "accel");
  EXPECT_EQ(problem.key().evaluator, "maestro-2021");
}

// ConfuciuX's published runs on `example` (shi, latency, area budget at ratio 0.5): the best
// configuration of its RL+GA run and the best of its random search (docs/maestro_model.md 10).
TEST(AccelProblemTest, ReproducesConfuciuxPublishedLatencies) {
  AccelProblem problem(FindLayerTable("example"), AreaBudget(0.5));
  const Space& space = problem.space();
  const std::vector<Evaluation> results =
      problem.Evaluate({ExampleConfig(space, "pe.1=58;kt.1=8;pe.2=68;kt.2=8"),
                        ExampleConfig(space, "pe.1=64;kt.1=2;pe.2=64;kt.2=9")});
  ASSERT_TRUE(results[0].ok()) << results[0].error;
  EXPECT_EQ(results[0].value, 4'999'682);
  EXPECT_EQ(results[0].metrics.at("latency.1"), 999'937);
  EXPECT_EQ(results[0].metrics.at("latency.2"), 3'999'745);
  EXPECT_EQ(results[1].value, 5'230'082);
  // Areas are summed as ConfuciuX reads them back, 6 digits per layer (v2021 constants).
  EXPECT_DOUBLE_EQ(results[0].metrics.at("area"), 7.33236e12 + 8.55502e12);
  EXPECT_DOUBLE_EQ(results[1].metrics.at("area"), 2 * 8.06596e12);
  EXPECT_DOUBLE_EQ(results[0].metrics.at("edp"), 999'937 * results[0].metrics.at("energy.1") +
                                                     3'999'745 * results[0].metrics.at("energy.2"));
  EXPECT_EQ(results[0].metrics.at("macs"), 64.0 * 32 * 54 * 54 * 9 + 128.0 * 64 * 54 * 54 * 9);
}

TEST(AccelProblemTest, BudgetIsConfuciuxRatioOverTheCorners) {
  AccelProblem problem(FindLayerTable("example"), AreaBudget(0.5));
  const auto [low, high] = problem.CornerRange("area");
  EXPECT_DOUBLE_EQ(low, 726'440'000'000.0);
  EXPECT_DOUBLE_EQ(high, 31'782'000'000'000.0);
  const std::optional<Constraint> budget = problem.budget_constraint();
  ASSERT_TRUE(budget.has_value());
  EXPECT_EQ(budget->metric, "area");
  EXPECT_DOUBLE_EQ(budget->limit, 16'254'220'000'000.0);
  EXPECT_DOUBLE_EQ(problem.decision_steps()->budget, budget->limit);

  AccelProblem unlimited(FindLayerTable("example"), {});
  EXPECT_FALSE(unlimited.budget_constraint().has_value());
  EXPECT_TRUE(std::isinf(unlimited.decision_steps()->budget));

  AccelOptions absolute;
  absolute.budget = AccelBudget{"power", std::nullopt, 1e8};
  EXPECT_DOUBLE_EQ(AccelProblem(FindLayerTable("example"), absolute).budget_constraint()->limit,
                   1e8);
}

TEST(AccelProblemTest, RejectsBadBudgets) {
  EXPECT_THROW(AccelProblem(FindLayerTable("example"), AreaBudget(1.5)), Error);
  AccelOptions other;
  other.budget = AccelBudget{"latency", 0.5, std::nullopt};
  EXPECT_THROW(AccelProblem(FindLayerTable("example"), other), Error);
}

// shi cannot map P PEs on a layer with X' < P <= X (MAESTRO's runtime 0): AlexNet's 13-wide
// layers with 12 PEs. The evaluation is invalid, names the layer, and keeps the other layers'
// metrics for step-by-step agents.
TEST(AccelProblemTest, ShiRuntimeZeroIsInvalid) {
  AccelProblem problem(FindLayerTable("alexnet"), {});
  const Config config = problem.space().FromText(
      "pe.1=8;kt.1=4;pe.2=8;kt.2=4;pe.3=12;kt.3=4;pe.4=8;kt.4=4;"
      "pe.5=8;kt.5=4");
  const Evaluation result = problem.Evaluate({config})[0];
  EXPECT_EQ(result.status, EvalStatus::kInvalid);
  EXPECT_NE(result.error.find("layer 3"), std::string::npos) << result.error;
  EXPECT_TRUE(result.metrics.count("latency.2"));
  EXPECT_FALSE(result.metrics.count("latency.3"));
  EXPECT_FALSE(result.metrics.count("latency"));
}

TEST(AccelProblemTest, DecisionStepsDescribeTheLayers) {
  AccelOptions options = AreaBudget(0.5);
  options.objective = AccelObjective::kEnergy;
  AccelProblem problem(FindLayerTable("example"), options);
  const DecisionSteps& steps = *problem.decision_steps();
  ASSERT_EQ(steps.steps.size(), 2u);
  const DecisionStep& first = steps.steps[0];
  // Layer 1 is (64, 32, 56, 56, 3, 3, conv) and the network's maxima (128, 64, 56, 56, 3, 3, 1).
  EXPECT_EQ(first.features, (std::vector<double>{0.5, 0.5, 1, 1, 1, 1, 1}));
  EXPECT_EQ(first.knobs, (std::vector<size_t>{0, 1}));
  ASSERT_EQ(first.levels.size(), 2u);
  ASSERT_EQ(first.levels[0].size(), 12u);
  EXPECT_EQ(problem.space().knobs()[0].values[first.levels[0][4]], KnobValue{int64_t{12}});
  EXPECT_EQ(first.levels[1].back(), 11);
  EXPECT_EQ(first.objective_metric, "energy.1");
  EXPECT_EQ(steps.steps[1].constraint_metric, "area.2");

  // The step's constraint without evaluating agrees with the evaluation's metric.
  const Config config = problem.space().FromText("pe.1=58;kt.1=8;pe.2=68;kt.2=8");
  const Evaluation result = problem.Evaluate({config})[0];
  EXPECT_DOUBLE_EQ(steps.step_constraint(0, config), result.metrics.at("area.1"));
  EXPECT_DOUBLE_EQ(steps.step_constraint(1, config), result.metrics.at("area.2"));
  EXPECT_DOUBLE_EQ(result.value, result.metrics.at("energy"));
}

TEST(AccelProblemTest, InstancesDifferByDataflowObjectiveAndLayers) {
  AccelOptions dla;
  dla.dataflow = Dataflow::kDla;
  AccelOptions energy;
  energy.objective = AccelObjective::kEnergy;
  const ProblemKey base = AccelProblem(FindLayerTable("example"), {}).key();
  EXPECT_NE(base.instance, AccelProblem(FindLayerTable("example"), dla).key().instance);
  EXPECT_NE(base.instance, AccelProblem(FindLayerTable("example"), energy).key().instance);
  LayerTable edited = FindLayerTable("example");
  edited.layers[1].k = 96;
  EXPECT_NE(base.instance, AccelProblem(edited, {}).key().instance);
  // The budget is a constraint of the run, not part of the instance.
  EXPECT_EQ(base, AccelProblem(FindLayerTable("example"), AreaBudget(0.5)).key());
}

TEST(AccelProblemTest, ObjectiveNamesRoundTrip) {
  for (AccelObjective objective :
       {AccelObjective::kLatency, AccelObjective::kEnergy, AccelObjective::kEdp})
    EXPECT_EQ(AccelObjectiveFromName(AccelObjectiveName(objective)), objective);
  EXPECT_THROW(AccelObjectiveFromName("throughput"), Error);
}

}  // namespace
}  // namespace tessel
