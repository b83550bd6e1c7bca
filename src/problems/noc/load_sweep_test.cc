// Tests of the load sweep: curves stop after saturating, results do not depend on the number
// of threads, rate ranges parse, CSV and chart have a row and a curve per point and routing.
#include "problems/noc/load_sweep.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"

namespace tessel::noc {
namespace {

LoadSweepOptions SmallSweep() {
  LoadSweepOptions options;
  options.base.k = 4;
  options.base.warmup_cycles = 200;
  options.base.measure_cycles = 800;
  options.base.drain_limit_cycles = 800;
  options.traffic = {"uniform", "transpose"};
  options.routings = {"xy", "odd-even"};
  options.rates = {0.05, 0.3, 0.6, 0.9};
  options.seed = 5;
  return options;
}

TEST(NocLoadSweepTest, EachCurveStopsAtItsFirstSaturatedPoint) {
  const std::vector<SweepPoint> points = RunLoadSweep(SmallSweep());
  int curves = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const bool last_of_curve = i + 1 == points.size() ||
                               points[i + 1].routing != points[i].routing ||
                               points[i + 1].traffic != points[i].traffic;
    curves += last_of_curve;
    // Only a curve's last point may be saturated, and one that ends early is.
    if (!last_of_curve) {
      EXPECT_FALSE(points[i].stats.saturated);
    } else if (points[i].rate < 0.9) {
      EXPECT_TRUE(points[i].stats.saturated);
    }
  }
  EXPECT_EQ(curves, 4);
  EXPECT_LT(points.size(), 16u);  // 0.9 saturates a 4x4 mesh under transpose
}

TEST(NocLoadSweepTest, ResultsDoNotDependOnTheThreads) {
  LoadSweepOptions options = SmallSweep();
  options.threads = 1;
  const std::vector<SweepPoint> one = RunLoadSweep(options);
  options.threads = 3;
  int seen = 0;
  const std::vector<SweepPoint> three = RunLoadSweep(options, [&](const SweepPoint&) { ++seen; });
  ASSERT_EQ(one.size(), three.size());
  EXPECT_EQ(seen, static_cast<int>(three.size()));
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].routing, three[i].routing);
    EXPECT_EQ(one[i].stats.latency, three[i].stats.latency);
  }
}

TEST(NocLoadSweepTest, BadSweepsAreRefusedBeforeSimulating) {
  LoadSweepOptions options = SmallSweep();
  options.rates = {0.3, 0.1};
  EXPECT_THROW(RunLoadSweep(options), Error);
  options.rates = {0.1, 1.5};
  EXPECT_THROW(RunLoadSweep(options), Error);
  options = SmallSweep();
  options.routings = {"xy", "zigzag"};
  EXPECT_THROW(RunLoadSweep(options), Error);
}

TEST(NocLoadSweepTest, RateRangesParse) {
  EXPECT_EQ(ParseRateRange("0.1:0.5:0.1"), (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5}));
  EXPECT_EQ(ParseRateRange("0.25"), (std::vector<double>{0.25}));
  EXPECT_THROW(ParseRateRange("0.1:0.5"), Error);
  EXPECT_THROW(ParseRateRange("0.1:0.5:0"), Error);
  EXPECT_THROW(ParseRateRange("0.5:0.1:0.1"), Error);
  EXPECT_THROW(ParseRateRange("0:1:0.0001"), Error);
  EXPECT_THROW(ParseRateRange("fast"), Error);
}

TEST(NocLoadSweepTest, CsvAndChartHoldEveryPoint) {
  LoadSweepOptions options = SmallSweep();
  options.rates = {0.05, 0.1};
  const std::vector<SweepPoint> points = RunLoadSweep(options);
  std::ostringstream csv;
  WriteSweepCsv(points, csv);
  const std::string text = csv.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + static_cast<long>(points.size()));
  EXPECT_EQ(text.rfind("traffic,routing,rate,", 0), 0u);
  const Chart chart = SweepChart(points, options.base);
  ASSERT_EQ(chart.panels.size(), 2u);
  EXPECT_EQ(chart.panels[1].title, "transpose");
  ASSERT_EQ(chart.panels[0].series.size(), 2u);
  EXPECT_EQ(chart.panels[0].series[1].name, "odd-even");
  EXPECT_EQ(chart.panels[0].series[1].points.size(), 2u);
}

}  // namespace
}  // namespace tessel::noc
