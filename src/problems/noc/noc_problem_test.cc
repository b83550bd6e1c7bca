// Tests of the NoC routing problem: its options, instance text, space, and evaluations
// (seeded per evaluation, saturation infeasible, batches independent of their order).
#include "problems/noc/noc_problem.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "problems/noc/routing_catalog.h"

namespace tessel::noc {
namespace {

NocConfig SmallMesh(double rate) {
  NocConfig config;
  config.k = 4;
  config.rate = rate;
  config.warmup_cycles = 200;
  config.measure_cycles = 1000;
  config.drain_limit_cycles = 1000;
  return config;
}

TEST(NocProblemTest, OptionsSetTheNamedFieldsOnly) {
  NocConfig config;
  ApplyNocOptions("vcs=4,packet_flits=5,hotspot_fraction=0.3,hotspots=0+9,measure=500", "--noc",
                  config);
  EXPECT_EQ(config.vcs, 4);
  EXPECT_EQ(config.packet_flits, 5);
  EXPECT_DOUBLE_EQ(config.hotspot_fraction, 0.3);
  EXPECT_EQ(config.hotspot_nodes, (std::vector<int>{0, 9}));
  EXPECT_EQ(config.measure_cycles, 500);
  EXPECT_EQ(config.buffer_flits, NocConfig().buffer_flits);
}

TEST(NocProblemTest, BadOptionsAreRefusedWithTheKnownKeys) {
  NocConfig config;
  EXPECT_THROW(ApplyNocOptions("lanes=4", "--noc", config), Error);
  EXPECT_THROW(ApplyNocOptions("vcs=two", "--noc", config), Error);
  EXPECT_THROW(ApplyNocOptions("vcs=2.5", "--noc", config), Error);
  EXPECT_THROW(ApplyNocOptions("vcs", "--noc", config), Error);
  try {
    ApplyNocOptions("lanes=4", "--noc", config);
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("buffer_flits"), std::string::npos);
  }
}

TEST(NocProblemTest, InstanceTextNamesEverythingButRoutingAndSeed) {
  NocConfig a = SmallMesh(0.1), b = a;
  b.routing = "odd-even";
  b.seed = 7;
  EXPECT_EQ(NocInstanceText(a), NocInstanceText(b));
  b.vcs = 4;
  EXPECT_NE(NocInstanceText(a), NocInstanceText(b));
  EXPECT_NE(NocInstanceText(a).find("rate=0.1"), std::string::npos);
  EXPECT_EQ(NocInstanceText(a).find("hotspot"), std::string::npos);
}

TEST(NocProblemTest, BadInstancesAreRefused) {
  NocConfig config = SmallMesh(1.5);
  EXPECT_THROW(NocProblem(config, 0), Error);
  config = SmallMesh(0.1);
  config.k = 1;
  EXPECT_THROW(NocProblem(config, 0), Error);
  config = SmallMesh(0.1);
  config.traffic = "zigzag";
  EXPECT_THROW(NocProblem(config, 0), Error);
}

TEST(NocProblemTest, TheSpaceIsTheRoutingsThatFitTheVcs) {
  NocProblem even(SmallMesh(0.1), 0);
  EXPECT_EQ(even.space().Size(), AllRoutingNames().size());
  EXPECT_TRUE(even.space().IsValid(even.ConfigOf("o1turn")));
  EXPECT_EQ(even.Routing(even.ConfigOf("west-first")), "west-first");
  EXPECT_THROW(even.ConfigOf("zigzag"), Error);
  NocConfig one_vc = SmallMesh(0.1);
  one_vc.vcs = 1;
  NocProblem odd(one_vc, 0);
  EXPECT_FALSE(odd.space().IsValid(odd.ConfigOf("o1turn")));
  EXPECT_TRUE(odd.space().IsValid(odd.ConfigOf("odd-even")));
}

TEST(NocProblemTest, EvaluationsReportTheSimulationAndDifferBySeed) {
  NocProblem problem(SmallMesh(0.1), 3);
  const Config xy = problem.ConfigOf("xy");
  const std::vector<Evaluation> results = problem.Evaluate({xy, xy});
  for (const Evaluation& result : results) {
    ASSERT_TRUE(result.ok()) << result.error;
    EXPECT_GT(result.value, 0);
    EXPECT_GT(result.metrics.at("hops"), 1);
    EXPECT_NEAR(result.metrics.at("throughput"), 0.1, 0.02);
  }
  // Two simulations of one routing are two samples, with their own seeds.
  EXPECT_NE(results[0].value, results[1].value);
  // A new problem with the same seed repeats them, batched or not.
  NocProblem again(SmallMesh(0.1), 3);
  EXPECT_EQ(again.Evaluate({xy})[0].value, results[0].value);
  EXPECT_EQ(again.Evaluate({xy})[0].value, results[1].value);
}

TEST(NocProblemTest, ASaturatedRunIsInfeasible) {
  NocConfig config = SmallMesh(0.9);
  config.traffic = "transpose";
  NocProblem problem(config, 0);
  const Evaluation result = problem.Evaluate({problem.ConfigOf("xy")})[0];
  EXPECT_EQ(result.status, EvalStatus::kInfeasible);
  EXPECT_NE(result.error.find("saturated"), std::string::npos) << result.error;
  EXPECT_LT(result.metrics.at("throughput"), result.metrics.at("offered"));
}

}  // namespace
}  // namespace tessel::noc
