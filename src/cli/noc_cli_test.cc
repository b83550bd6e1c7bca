// The noc problem through the `tessel` command: eval, tune (a preset and a routing agent),
// the load sweep, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/command_test_fixture.h"

namespace {

using tessel::cli_testing::Outcome;
using tessel::cli_testing::ReadFile;
namespace fs = std::filesystem;

class NocCliTest : public tessel::cli_testing::CommandTest {};

// Short simulations keep the tests fast; the mesh is 4x4.
const std::string kSmall = " --mesh 4 --noc warmup=200,measure=1000,drain_limit=1000";

TEST_F(NocCliTest, EvalSimulatesOneRoutingAndRecordsIt) {
  const Outcome ok = Run("eval --problem noc --rate 0.1 --traffic transpose --config routing=xy" +
                         kSmall + " --json --db n.db");
  ASSERT_EQ(ok.status, 0) << ok.err;
  const nlohmann::json line = nlohmann::json::parse(ok.out);
  EXPECT_EQ(line["problem"], "noc");
  EXPECT_EQ(line["objective"], "latency");
  EXPECT_EQ(line["status"], "ok");
  EXPECT_GT(line["value"].get<double>(), 5);
  for (const char* metric : {"latency_p99", "hops", "throughput", "network_latency"})
    EXPECT_TRUE(line["metrics"].contains(metric)) << metric;
  EXPECT_NE(line["instance"].get<std::string>().find("traffic=transpose"), std::string::npos);
  // Options alone imply the problem; the record is there.
  const Outcome implied = Run("eval --rate 0.1 --config routing=odd-even" + kSmall + " --db n.db");
  ASSERT_EQ(implied.status, 0) << implied.err;
  EXPECT_NE(implied.out.find("latency_p99"), std::string::npos) << implied.out;
  const Outcome best = Run("best --db n.db");
  EXPECT_NE(best.out.find("noc"), std::string::npos) << best.out;
}

TEST_F(NocCliTest, BadInputIsOneLineAndExitTwo) {
  ExpectUsageError("eval --problem noc --mesh 1 --rate 0.1 --config routing=xy", "mesh size");
  ExpectUsageError("eval --problem noc --rate 1.5 --config routing=xy", "outside (0, 1]");
  ExpectUsageError("eval --problem noc --rate 0 --config routing=xy", "outside (0, 1]");
  ExpectUsageError("eval --problem noc --rate 0.1 --traffic zigzag --config routing=xy", "zigzag");
  ExpectUsageError("eval --problem noc --rate 0.1 --config routing=zigzag", "zigzag");
  ExpectUsageError("eval --problem noc --config routing=xy", "needs --rate");
  ExpectUsageError("eval --problem noc --rate 0.1 --noc lanes=2 --config routing=xy", "lanes");
  ExpectUsageError("eval --rate 0.1 --model resnet18 --config routing=xy", "more than one");
  ExpectUsageError("tune --problem noc --rate 0.1 --tuner sarsa --trials 5", "episodes");
  ExpectUsageError("tune --problem noc --rate 0.1 --tuner q-learning --rl alpha=2", "alpha");
  ExpectUsageError("tune --problem noc --rate 0.1 --tuner random --trials 2 --rl episodes=2",
                   "--rl");
  ExpectUsageError("noc sweep --rates 0.5:0.1:0.1", "lo <= hi");
  ExpectUsageError("noc sweep --routing zigzag", "zigzag");
  ExpectUsageError("noc sweep --mesh 1", "mesh size");
  ExpectUsageError("noc sweep --csv /nonexistent/dir/out.csv", "writable");
  EXPECT_FALSE(fs::exists(dir_ / "tessel.db"));  // nothing was recorded
}

// A preset tunes each load as a task; grid simulates every routing once.
TEST_F(NocCliTest, GridTunesEveryLoadAsATask) {
  const Outcome grid =
      Run("tune --problem noc --rate 0.05,0.2 --tuner grid --trials 6 --no-default" + kSmall +
          " --json --db g.db");
  ASSERT_EQ(grid.status, 0) << grid.err;
  int tasks = 0;
  std::istringstream lines(grid.out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json task = nlohmann::json::parse(line);
    EXPECT_EQ(task["measurements"], 6) << line;
    ++tasks;
  }
  EXPECT_EQ(tasks, 2);
}

// A routing agent walks the load states, records every step and reports its policy; the
// same seed makes the same choices.
TEST_F(NocCliTest, RoutingAgentLearnsAPolicyPerLoadState) {
  const std::string args =
      "tune --problem noc --rate 0.05,0.2,0.35 --tuner expected-sarsa "
      "--rl episodes=3 --seed 4" +
      kSmall + " --json --db a.db";
  const Outcome first = Run(args);
  ASSERT_EQ(first.status, 0) << first.err;
  const nlohmann::json result = nlohmann::json::parse(first.out);
  ASSERT_EQ(result["policy"].size(), 3u);
  EXPECT_EQ(result["steps"], 9);
  EXPECT_EQ(result["policy"][2]["state"], "uniform@0.35");
  EXPECT_EQ(result["episode_rewards"].size(), 3u);
  const Outcome exported = Run("export --db a.db");
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 9);
  const Outcome again = Run(args);
  EXPECT_EQ(nlohmann::json::parse(again.out)["policy"], result["policy"]);
  const Outcome text = Run("tune --problem noc --rate 0.1 --tuner q-learning --rl episodes=2" +
                           kSmall + " --db a.db");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("uniform@0.1"), std::string::npos) << text.out;

  // The agents' rewards and Q values per episode, in every load state's section of the report.
  ASSERT_EQ(Run("report --db a.db --out a.html").status, 0);
  const std::string report = ReadFile(dir_ / "a.html");
  size_t sections = 0;
  for (size_t at = report.find("<h4>What the tuners' agents learned</h4>"); at != std::string::npos;
       at = report.find("<h4>What the tuners' agents learned</h4>", at + 1))
    ++sections;
  EXPECT_EQ(sections, 4u);
  EXPECT_NE(report.find(">best_q</text>"), std::string::npos);
}

TEST_F(NocCliTest, SweepWritesCsvAndSvg) {
  const Outcome sweep =
      Run("noc sweep --traffic uniform,hotspot --routing xy,odd-even "
          "--rates 0.05:0.15:0.05,0.9" +
          kSmall + " --csv s.csv --svg s.svg");
  ASSERT_EQ(sweep.status, 0) << sweep.err;
  const std::string csv = ReadFile(dir_ / "s.csv");
  EXPECT_EQ(csv.rfind("traffic,routing,rate,", 0), 0u);
  // 4 curves of up to 4 points; 0.9 saturates every curve.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 16) << csv;
  const std::string svg = ReadFile(dir_ / "s.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  size_t polylines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1))
    ++polylines;
  EXPECT_EQ(polylines, 4u);
  EXPECT_FALSE(fs::exists(dir_ / "s.csv.partial"));
}

}  // namespace
