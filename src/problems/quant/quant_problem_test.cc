#include "problems/quant/quant_problem.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error.h"
#include "problems/quant/quant_nets.h"

namespace tessel {
namespace {

// Accuracy by formula: floating point 0.9, each bit below 8 on a layer costs `per_bit`; a layer
// at `fail_bits` throws as LibTorch's allocator does when it runs out of memory, and one at
// `fail_bits` - 1 throws another error.
class FormulaAccuracy : public QuantAccuracy {
 public:
  explicit FormulaAccuracy(double per_bit = 0.005, int fail_bits = 0, std::string identity = "{}")
      : per_bit_(per_bit), fail_bits_(fail_bits), identity_(std::move(identity)) {}
  double FloatAccuracy() override { return 0.9; }
  double Accuracy(const std::vector<int>& bits) override {
    double accuracy = 0.9;
    for (int b : bits) {
      if (b == fail_bits_) throw std::runtime_error("out of memory");
      if (b == fail_bits_ - 1) throw std::runtime_error("a layer's kernel failed");
      accuracy -= per_bit_ * (8 - b);
    }
    ++calls;
    return accuracy;
  }
  std::vector<double> WeightStd() override { return {0.1, 0.05, 0.02, 0.04}; }
  std::string Identity() const override { return identity_; }
  int calls = 0;

 private:
  double per_bit_;
  int fail_bits_;
  std::string identity_;
};

QuantProblem MakeLenet(QuantOptions options = {}, int fail_bits = 0, std::string identity = "{}") {
  return QuantProblem("lenet5", FindQuantNet("lenet5").layers,
                      std::make_unique<FormulaAccuracy>(0.005, fail_bits, std::move(identity)),
                      std::move(options));
}

Config BitsConfig(const QuantProblem& problem, const std::string& text) {
  return problem.space().FromText(text);
}

TEST(QuantProblemTest, KnobsAreEachLayersBitsFromTheSet) {
  QuantOptions options;
  options.bits_set = {2, 3, 4, 5, 8};
  const QuantProblem problem = MakeLenet(options);
  ASSERT_EQ(problem.space().num_knobs(), 4u);
  EXPECT_EQ(problem.space().knobs()[0].name, "bits.1");
  EXPECT_EQ(problem.space().knobs()[3].name, "bits.4");
  EXPECT_EQ(problem.space().Size(), 625u);
  EXPECT_EQ(problem.Bits(*problem.DefaultConfig()), (std::vector<int>{8, 8, 8, 8}));
}

TEST(QuantProblemTest, ReportsReleqsLenetFigures) {
  QuantProblem problem = MakeLenet();
  const Evaluation result =
      problem.Evaluate({BitsConfig(problem, "bits.1=2;bits.2=2;bits.3=3;bits.4=2")})[0];
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_DOUBLE_EQ(result.metrics.at("avg_bits"), 2.25);
  // 8 x 2,293,000 / (2 x 288,000 + 2 x 1,600,000 + 3 x 400,000 + 2 x 5,000)
  EXPECT_NEAR(result.metrics.at("stripes_speedup"), 8.0 * 2293000 / 4986000, 1e-9);
  EXPECT_NEAR(result.metrics.at("stripes_speedup"), 3.68, 0.005);
  const double accuracy = 0.9 - 0.005 * (6 + 6 + 5 + 6);
  EXPECT_DOUBLE_EQ(result.metrics.at("accuracy"), accuracy);
  EXPECT_NEAR(result.metrics.at("accuracy_loss"), 100 * (0.9 - accuracy), 1e-9);
  EXPECT_NEAR(result.metrics.at("accuracy_state"), accuracy / 0.9, 1e-12);
  EXPECT_EQ(result.value, result.metrics.at("bitfusion_energy"));
  EXPECT_LT(result.value, 1.0);
  EXPECT_GT(result.metrics.at("bitfusion_speedup"), 1.0);
  for (const MetricInfo& metric : QuantProblem::DeclaredMetrics())
    EXPECT_TRUE(result.metrics.count(metric.name)) << metric.name;
}

TEST(QuantProblemTest, EightBitsEverywhereIsTheHardwareReference) {
  QuantProblem problem = MakeLenet();
  const Evaluation result = problem.Evaluate({*problem.DefaultConfig()})[0];
  ASSERT_TRUE(result.ok());
  EXPECT_DOUBLE_EQ(result.metrics.at("stripes_speedup"), 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.at("bitfusion_speedup"), 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.at("bitfusion_energy"), 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.at("quantization_state"), 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.at("accuracy_loss"), 0.0);
}

TEST(QuantProblemTest, FewerBitsNeverCostMore) {
  QuantProblem problem = MakeLenet();
  const std::vector<Evaluation> results =
      problem.Evaluate({BitsConfig(problem, "bits.1=8;bits.2=8;bits.3=8;bits.4=8"),
                        BitsConfig(problem, "bits.1=8;bits.2=2;bits.3=8;bits.4=8")});
  for (const char* cost :
       {"stripes_cycles", "bitfusion_cycles", "bitfusion_energy", "quantization_state", "avg_bits"})
    EXPECT_LE(results[1].metrics.at(cost), results[0].metrics.at(cost)) << cost;
}

TEST(QuantProblemTest, ObjectiveIsTheChosenMetric) {
  QuantOptions options;
  options.objective = QuantObjective::kAvgBits;
  QuantProblem problem = MakeLenet(options);
  EXPECT_EQ(problem.objective().name, "avg_bits");
  const Evaluation result =
      problem.Evaluate({BitsConfig(problem, "bits.1=2;bits.2=4;bits.3=6;bits.4=8")})[0];
  EXPECT_DOUBLE_EQ(result.value, 5.0);
  EXPECT_EQ(QuantObjectiveFromName("stripes_cycles"), QuantObjective::kStripesCycles);
  EXPECT_THROW(QuantObjectiveFromName("latency"), Error);
}

TEST(QuantProblemTest, AFailedEvaluationIsRecordedAndTheBatchGoesOn) {
  QuantProblem problem = MakeLenet({}, /*fail_bits=*/3);
  const std::vector<Evaluation> results =
      problem.Evaluate({BitsConfig(problem, "bits.1=3;bits.2=8;bits.3=8;bits.4=8"),
                        BitsConfig(problem, "bits.1=2;bits.2=8;bits.3=8;bits.4=8"),
                        BitsConfig(problem, "bits.1=4;bits.2=8;bits.3=8;bits.4=8")});
  // LibTorch's allocator failing is told apart from other errors.
  EXPECT_EQ(results[0].status, EvalStatus::kOutOfMemory);
  EXPECT_NE(results[0].error.find("out of memory"), std::string::npos);
  EXPECT_TRUE(std::isnan(results[0].value));
  EXPECT_EQ(results[1].status, EvalStatus::kRuntimeError);
  EXPECT_NE(results[1].error.find("kernel failed"), std::string::npos);
  EXPECT_TRUE(results[2].ok());
}

TEST(QuantProblemTest, RefusesBadBitsSets) {
  for (const std::vector<int>& bad :
       {std::vector<int>{}, std::vector<int>{0, 2}, std::vector<int>{2, 9}, std::vector<int>{4, 2},
        std::vector<int>{2, 2}}) {
    QuantOptions options;
    options.bits_set = bad;
    EXPECT_THROW(MakeLenet(options), Error);
  }
}

TEST(QuantProblemTest, KeySeparatesBitsSetsAndTrainedNetworks) {
  QuantOptions other_set;
  other_set.bits_set = {2, 4, 8};
  const QuantProblem base = MakeLenet();
  EXPECT_NE(base.key().instance, MakeLenet(other_set).key().instance);
  EXPECT_NE(base.key().target, MakeLenet({}, 0, "{\"seed\":2}").key().target);
  EXPECT_EQ(base.key(), MakeLenet().key());
}

TEST(QuantProblemTest, DecisionStepsAreTheLayersWithReleqsStates) {
  const QuantProblem problem = MakeLenet();
  const DecisionSteps& steps = *problem.decision_steps();
  ASSERT_EQ(steps.steps.size(), 4u);
  EXPECT_EQ(steps.quality_state_metric, "accuracy_state");
  EXPECT_EQ(steps.cost_state_metric, "quantization_state");
  for (size_t layer = 0; layer < 4; ++layer) {
    EXPECT_EQ(steps.steps[layer].knobs, std::vector<size_t>{layer});
    EXPECT_EQ(steps.steps[layer].levels[0].size(), 7u);
    for (double feature : steps.steps[layer].features) {
      EXPECT_GE(feature, 0.0);
      EXPECT_LE(feature, 1.0);
    }
  }
  EXPECT_DOUBLE_EQ(steps.steps[0].features[0], 0.0);
  EXPECT_DOUBLE_EQ(steps.steps[3].features[0], 1.0);
  EXPECT_DOUBLE_EQ(steps.steps[0].features[3], 1.0);  // the widest weight spread
}

}  // namespace
}  // namespace tessel
