#include "report/tuner_views.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <string>

#include "report/html_report.h"
#include "report/report_data.h"
#include "report/report_test_db.h"

namespace tessel {
namespace {

using report_testing::Count;
using report_testing::Section;

class TunerViewsTest : public report_testing::ReportDbTest {
 protected:
  // On the small database's task 1, run 1 (seqs 0 to 6: 5, 3, 4, 3, a compile error, 2, 2.5):
  // five rounds of reward and policy loss, and a score per measurement of -value (a model that
  // ranks perfectly), seqs 0 to 2 from a model fitted on 10 measurements, 3 to 6 on 20.
  void WriteTunerLog() {
    WriteSmallDb();
    RecordStore store(path_);
    std::vector<TunerLogEntry> log;
    for (int64_t round = 0; round < 5; ++round) {
      log.push_back({1, 1, round, "reward", 0.5 * static_cast<double>(round)});
      log.push_back({1, 1, round, "policy_loss", 1.0 / static_cast<double>(round + 1)});
    }
    const double values[] = {5, 3, 4, 3, 0, 2, 2.5};
    for (int64_t seq = 0; seq < 7; ++seq) {
      log.push_back({1, 1, seq, kPredictedName, -values[seq]});
      log.push_back({1, 1, seq, kFittedOnName, seq < 3 ? 10.0 : 20.0});
    }
    store.AppendTunerLog(log);
  }

  ReportData Read() const { return ReadReport(RecordStore(path_, RecordStore::Access::kReadOnly)); }
};

TEST(SpearmanTest, RanksWithTiesAndNeedsThreeVaryingPairs) {
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1);
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1);
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3}, {1, 3, 2}), 0.5);
  // Ties share their mean rank: ranks (1.5, 1.5, 3) against (1, 2, 3).
  EXPECT_NEAR(Spearman({1, 1, 2}, {1, 2, 3}), 0.8660254, 1e-6);
  EXPECT_TRUE(std::isnan(Spearman({1, 2}, {1, 2})));
  EXPECT_TRUE(std::isnan(Spearman({1, 1, 1}, {1, 2, 3})));
}

TEST_F(TunerViewsTest, ReadsLearningCurvesAndTheModelsFit) {
  WriteTunerLog();
  const ReportData data = Read();
  ASSERT_EQ(data.tasks[0].id, 1);
  const std::vector<RunTunerViews>& views = data.tasks[0].tuner_views;
  ASSERT_EQ(views.size(), 1u);
  const RunTunerViews& run = views[0];
  EXPECT_EQ(run.run_id, 1);
  EXPECT_EQ(run.label, "random seed 1");
  ASSERT_EQ(run.learning.size(), 2u);  // by name
  EXPECT_EQ(run.learning[0].name, "policy_loss");
  EXPECT_EQ(run.learning[1].name, "reward");
  ASSERT_EQ(run.learning[1].points.size(), 5u);
  EXPECT_EQ(run.learning[1].points[4], std::make_pair(4.0, 2.0));
  ASSERT_EQ(run.predicted.size(), 6u);  // the compile error has no value
  EXPECT_EQ(run.predicted_failed, 1);
  EXPECT_EQ(run.predicted[0], std::make_pair(5.0, -5.0));
  EXPECT_EQ(run.overall.pairs, 6);
  EXPECT_DOUBLE_EQ(run.overall.spearman, -1);
  ASSERT_EQ(run.per_fit.size(), 2u);
  EXPECT_EQ(run.per_fit[0].fitted_on, 10);
  EXPECT_EQ(run.per_fit[0].pairs, 3);
  EXPECT_EQ(run.per_fit[1].fitted_on, 20);
  EXPECT_EQ(run.per_fit[1].pairs, 3);
  EXPECT_DOUBLE_EQ(run.per_fit[1].spearman, -1);
  // The other tasks have no log.
  for (size_t i = 1; i < data.tasks.size(); ++i) EXPECT_TRUE(data.tasks[i].tuner_views.empty());
}

TEST_F(TunerViewsTest, TheReportDrawsThemWithEveryPoint) {
  WriteTunerLog();
  const std::string html = RenderHtmlReport(Read(), "records.db");
  const std::string task = Section(html, 1);
  EXPECT_NE(task.find("What the tuners' agents learned"), std::string::npos);
  EXPECT_NE(task.find("Cost model against measurements"), std::string::npos);
  // Best so far, histogram, metric scatters; then the learning curves and the model's fit.
  EXPECT_EQ(Count(task, "<svg"), 5u);
  // Each learning panel and the per-refit panel is one line.
  EXPECT_EQ(Count(task, "<polyline"), 2u * 2u + 2u + 3u);
  const std::string learning = task.substr(task.find("What the tuners' agents learned"));
  const std::string curves = learning.substr(0, learning.find("Cost model against"));
  EXPECT_EQ(Count(curves, "<polyline"), 2u);
  // A marker per round on each curve (the legend's are larger).
  EXPECT_EQ(Count(curves, "r=\"2\""), 2u * 5u);
  const std::string model = learning.substr(learning.find("Cost model against"));
  EXPECT_EQ(Count(model, "<polyline"), 1u);
  EXPECT_NE(model.find("6 successful measurements (1 failed, not shown)"), std::string::npos);
  EXPECT_NE(model.find("Spearman &rho; = -1.000"), std::string::npos);
  EXPECT_NE(model.find(">Spearman per refit</text>"), std::string::npos);
  // Tasks without a log show neither view.
  EXPECT_EQ(Section(html, 2).find("Cost model against"), std::string::npos);
}

TEST_F(TunerViewsTest, ASchemaFourDatabaseOpensReadOnlyWithoutTheViews) {
  WriteTunerLog();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE tuner_log; "
                           "UPDATE meta SET value = '4' WHERE key = 'schema_version'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const ReportData data = Read();
  ASSERT_FALSE(data.tasks.empty());
  for (const ReportTask& task : data.tasks) EXPECT_TRUE(task.tuner_views.empty());
  const std::string html = RenderHtmlReport(data, "records.db");
  EXPECT_EQ(html.find("What the tuners' agents learned"), std::string::npos);
  EXPECT_EQ(html.find("Cost model against"), std::string::npos);
  EXPECT_NE(Section(html, 1).find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace tessel
