#include "report/report_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "report/report_test_db.h"

namespace tessel {
namespace {

using report_testing::Record;
using Points = std::vector<std::pair<double, double>>;

class ReportDataTest : public report_testing::ReportDbTest {
 protected:
  ReportData ReadSmall() {
    WriteSmallDb();
    const RecordStore store(path_, RecordStore::Access::kReadOnly);
    return ReadReport(store);
  }
};

const ReportTask& TaskById(const ReportData& data, int64_t id) {
  for (const ReportTask& task : data.tasks)
    if (task.id == id) return task;
  ADD_FAILURE() << "no task " << id;
  return data.tasks.front();
}

TEST_F(ReportDataTest, TasksComeGroupedByProblemInThePipelinesOrder) {
  const ReportData data = ReadSmall();
  ASSERT_EQ(data.tasks.size(), 3u);
  EXPECT_EQ(data.tasks[0].key.problem, "schedule");
  EXPECT_EQ(data.tasks[1].key.problem, "quant");
  EXPECT_EQ(data.tasks[2].key.problem, "noc");
  EXPECT_EQ(data.measurements, 13);
  EXPECT_EQ(data.tasks[1].measurements, 0);
  EXPECT_TRUE(data.tasks[1].curves.empty());
  EXPECT_TRUE(data.tasks[1].histogram.counts.empty());
}

TEST_F(ReportDataTest, RunsAreLabelledWithTheirTunerSeedAndHost) {
  const ReportData data = ReadSmall();
  ASSERT_EQ(data.runs.size(), 2u);
  EXPECT_EQ(data.runs[0].label, "random seed 1");
  EXPECT_EQ(data.runs[0].host_short, "Test CPU, 4 cores");
  EXPECT_EQ(data.runs[0].measurements, 7);
  EXPECT_EQ(data.runs[1].label, "autotvm seed 2");
  EXPECT_EQ(data.runs[1].host_short, "unknown");
  EXPECT_EQ(data.runs[1].measurements, 6);
}

TEST_F(ReportDataTest, RunsOfOneTunerAndSeedGetDistinctLabels) {
  {
    RecordStore store(path_);
    store.BeginRun({"random", 1, "tune"});
    store.BeginRun({"random", 1, "tune --resume"});
  }
  const ReportData data = ReadReport(RecordStore(path_, RecordStore::Access::kReadOnly));
  ASSERT_EQ(data.runs.size(), 2u);
  EXPECT_EQ(data.runs[0].label, "random seed 1 (run 1)");
  EXPECT_EQ(data.runs[1].label, "random seed 1 (run 2)");
}

TEST_F(ReportDataTest, BestSoFarKeepsItsChangesAndTheRunsLastMeasurement) {
  const ReportData data = ReadSmall();
  const ReportTask& task = TaskById(data, 1);
  EXPECT_EQ(task.measurements, 10);
  EXPECT_EQ(task.successes, 8);
  EXPECT_EQ(task.runs, 2);
  EXPECT_EQ(task.best, 1);
  EXPECT_EQ(task.best_config, "i");
  ASSERT_EQ(task.curves.size(), 2u);
  const BestSoFarCurve& first = task.curves[0];
  EXPECT_EQ(first.label, "random seed 1");
  EXPECT_EQ(first.measurements, 7);
  // 5, 3, 4, 3, failure, 2, 2.5: changes at 1, 2 and 6, carried on to 7.
  EXPECT_EQ(first.by_index, (Points{{1, 5}, {2, 3}, {6, 2}, {7, 2}}));
  // The last two share a batch's timestamp (5.5 s), where the curve also ends.
  EXPECT_EQ(first.by_time, (Points{{0, 5}, {1, 3}, {5.5, 2}}));
  const BestSoFarCurve& second = task.curves[1];
  EXPECT_EQ(second.label, "autotvm seed 2");
  // A timeout first: the curve starts at the first success, its time at the run's first
  // measurement.
  EXPECT_EQ(second.by_index, (Points{{2, 4}, {3, 1}}));
  EXPECT_EQ(second.by_time, (Points{{1, 4}, {9, 1}}));
}

TEST_F(ReportDataTest, BestSoFarFollowsAMaximisedObjectiveAndIgnoresInfeasibleValues) {
  const ReportData data = ReadSmall();
  const ReportTask& task = TaskById(data, 2);
  EXPECT_EQ(task.best, 7);  // the infeasible 9 never counts
  ASSERT_EQ(task.curves.size(), 1u);
  EXPECT_EQ(task.curves[0].by_index, (Points{{1, 7}, {3, 7}}));
}

TEST_F(ReportDataTest, CountsEvaluationsByStatusOkFirst) {
  const ReportData data = ReadSmall();
  using Counts = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(TaskById(data, 1).statuses, (Counts{{"ok", 8}, {"compile_error", 1}, {"timeout", 1}}));
  EXPECT_EQ(TaskById(data, 2).statuses, (Counts{{"ok", 1}, {"crash", 1}, {"infeasible", 1}}));
}

TEST_F(ReportDataTest, HistogramOfTheSuccessfulValues) {
  const ReportData data = ReadSmall();
  const Histogram& histogram = TaskById(data, 1).histogram;
  // 1, 2, 2.5, 3, 3, 4, 4, 5 in five bins of 0.8 from 1 to 5.
  EXPECT_FALSE(histogram.log);
  EXPECT_EQ(histogram.counts, (std::vector<int64_t>{1, 2, 2, 2, 1}));
  ASSERT_EQ(histogram.edges.size(), 6u);
  EXPECT_EQ(histogram.edges.front(), 1);
  EXPECT_DOUBLE_EQ(histogram.edges[1], 1.8);
  EXPECT_EQ(histogram.edges.back(), 5);
  // One value: one bin around it.
  const Histogram& single = TaskById(data, 2).histogram;
  EXPECT_EQ(single.counts, (std::vector<int64_t>{1}));
  EXPECT_LT(single.edges[0], 7);
  EXPECT_GT(single.edges[1], 7);
}

TEST(ReportHistogramTest, ValuesSpanningDecadesGetLogarithmicBins) {
  std::vector<double> values;
  for (int i = 0; i < 400; ++i) values.push_back(std::pow(10.0, i / 100.0));  // 1 to ~1e4
  values.push_back(std::nan(""));
  const Histogram histogram = MakeHistogram(values, 40);
  EXPECT_TRUE(histogram.log);
  ASSERT_EQ(histogram.counts.size(), 20u);  // sqrt(400)
  EXPECT_EQ(std::accumulate(histogram.counts.begin(), histogram.counts.end(), int64_t{0}), 400);
  // Evenly spread in log10, so every bin holds about as many.
  for (int64_t count : histogram.counts) EXPECT_NEAR(count, 20, 1);
  EXPECT_EQ(MakeHistogram(std::vector<double>(10000, 0.0), 40).counts.size(), 1u);
  EXPECT_EQ(MakeHistogram(values, 12).counts.size(), 12u);
  EXPECT_TRUE(MakeHistogram({}, 40).counts.empty());
}

TEST_F(ReportDataTest, ScattersTheObjectiveAgainstMetricsThatAreNotFunctionsOfIt) {
  const ReportData data = ReadSmall();
  const ReportTask& task = TaskById(data, 1);
  ASSERT_EQ(task.scatters.size(), 2u);
  EXPECT_EQ(task.metrics_left_out,
            (std::vector<std::string>{"gflops: a monotone function of time",
                                      "macs: the same in every evaluation"}));
  const MetricScatter& accuracy = task.scatters[0];
  EXPECT_EQ(accuracy.metric, "accuracy");
  EXPECT_TRUE(accuracy.metric_maximised);
  EXPECT_EQ(accuracy.ok.size(), 7u);  // 8 successes, one pair twice
  EXPECT_EQ(accuracy.front, (Points{{0.3, 1}, {0.8, 2}, {0.9, 2.5}}));
  const MetricScatter& energy = task.scatters[1];
  EXPECT_EQ(energy.metric, "energy");
  EXPECT_FALSE(energy.metric_maximised);
  EXPECT_EQ(energy.front, (Points{{1, 5}, {2, 4}, {3, 2.5}, {8, 2}, {9, 1}}));
  EXPECT_TRUE(energy.infeasible.empty());
  EXPECT_TRUE(TaskById(data, 2).scatters.empty());  // no metrics
}

TEST_F(ReportDataTest, ScattersKeepInfeasibleEvaluationsApartAndLimitTheirNumber) {
  {
    RecordStore store(path_);
    const int64_t task = store.EnsureTask({"accel", "net", "{}", "m", 1}, {"latency", "c", true});
    const int64_t run = store.BeginRun({"random", 1, "tune"});
    std::vector<MeasurementRecord> batch;
    for (int i = 1; i <= 20; ++i) {
      Metrics metrics{{"latency", i}};
      // Eight metrics of the whole: m4 is constant (7i mod 7), m7 equals m0, the others are
      // permutations of one another's residues that no monotone function maps; and a part.
      for (int m = 0; m < 8; ++m)
        metrics[std::string(1, 'm') += std::to_string(m)] = (i * (m + 3)) % 7;
      metrics["m0.1"] = i % 5;
      batch.push_back(Record(task, run, std::to_string(i), i, "", metrics,
                             i % 4 ? EvalStatus::kOk : EvalStatus::kInfeasible));
    }
    store.Append(batch);
  }
  ReportLimits limits;
  limits.scatters = 3;
  const ReportData data = ReadReport(RecordStore(path_, RecordStore::Access::kReadOnly), limits);
  const ReportTask& task = data.tasks[0];
  ASSERT_EQ(task.scatters.size(), 3u);
  EXPECT_EQ(task.scatters[0].metric, "m0");
  EXPECT_EQ(task.scatters[0].infeasible.size(), 5u);
  EXPECT_EQ(task.scatters[1].metric, "m1");
  EXPECT_EQ(task.scatters[2].metric, "m2");
  // m7 equals m0, but past the limit that is not looked into.
  EXPECT_EQ(task.metrics_left_out, (std::vector<std::string>{"latency: the objective",
                                                             "m4: the same in every evaluation"}));
  EXPECT_EQ(task.metrics_beyond_limit, 4);  // m3, m5, m6, m7
  EXPECT_EQ(task.metric_parts_left_out, 1);
  // With room for all, m7 is named as m0's twin.
  limits.scatters = 10;
  const ReportData all = ReadReport(RecordStore(path_, RecordStore::Access::kReadOnly), limits);
  EXPECT_EQ(all.tasks[0].scatters.size(), 6u);  // m0, m1, m2, m3, m5, m6
  EXPECT_EQ(all.tasks[0].metrics_left_out.back(), "m7: a monotone function of m0");
  EXPECT_EQ(all.tasks[0].metrics_beyond_limit, 0);
}

TEST(ReportTimestampTest, ParsesTheStoresFormat) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_DOUBLE_EQ(*ParseTimestamp("2026-01-02T03:04:05.678Z"), 1767323045.678);
  EXPECT_EQ(ParseTimestamp("2000-02-29T23:59:59Z"), 951868799.0);
  EXPECT_FALSE(ParseTimestamp(""));
  EXPECT_FALSE(ParseTimestamp("2026-01-02 03:04:05Z"));
  EXPECT_FALSE(ParseTimestamp("2026-13-02T03:04:05Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05.Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05.6x8Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05"));
}

TEST(ReportMetricDirectionTest, GainsByNameAndCostsOtherwise) {
  EXPECT_TRUE(MetricIsMaximised("accuracy"));
  EXPECT_TRUE(MetricIsMaximised("stripes_speedup"));
  EXPECT_TRUE(MetricIsMaximised("gflops"));
  EXPECT_TRUE(MetricIsMaximised("Throughput"));
  EXPECT_FALSE(MetricIsMaximised("accuracy_loss"));
  EXPECT_FALSE(MetricIsMaximised("area"));
  EXPECT_FALSE(MetricIsMaximised("energy"));
}

}  // namespace
}  // namespace tessel
