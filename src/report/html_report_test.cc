#include "report/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>

#include "report/report_test_db.h"

namespace tessel {
namespace {

using report_testing::Record;
namespace fs = std::filesystem;

using report_testing::Count;
using report_testing::Section;

class HtmlReportTest : public report_testing::ReportDbTest {
 protected:
  std::string Render(const std::string& source = "records.db") {
    const RecordStore store(path_, RecordStore::Access::kReadOnly);
    return RenderHtmlReport(ReadReport(store), source);
  }
};

TEST_F(HtmlReportTest, EscapesEveryTextFromTheDatabase) {
  WriteSmallDb();
  const std::string html = Render("odd <path> & name.db");
  EXPECT_NE(html.find("&lt;b&gt;mesh&lt;/b&gt; &amp; &quot;x&quot; &#39;y&#39;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>mesh"), std::string::npos);
  EXPECT_NE(html.find("tessel tune &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("booksim&lt;&gt;"), std::string::npos);
  EXPECT_NE(html.find("<code>&lt;x&gt;</code>"), std::string::npos);  // task 2's best config
  EXPECT_NE(html.find("odd &lt;path&gt; &amp; name.db"), std::string::npos);
  // Self-contained: no script, nothing fetched (the SVG namespace is a name, not a request).
  std::string lower = html;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(Count(lower, "http"), Count(lower, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(lower.find("src="), std::string::npos);
}

TEST_F(HtmlReportTest, SameDatabaseSameBytes) {
  WriteSmallDb();
  const std::string first = Render();
  EXPECT_EQ(Render(), first);
  // A copy elsewhere reads the same, whatever its path or when it is read.
  const std::string copy = (dir_ / "copy.db").string();
  fs::copy_file(path_, copy);
  EXPECT_EQ(
      RenderHtmlReport(ReadReport(RecordStore(copy, RecordStore::Access::kReadOnly)), "records.db"),
      first);
}

TEST_F(HtmlReportTest, EachTaskHasItsChartsAndTables) {
  WriteSmallDb();
  const std::string html = Render();
  EXPECT_EQ(Count(html, "<section"), 3u);
  EXPECT_NE(html.find("3 tasks, 2 runs, 13 measurements"), std::string::npos);
  // Problems in order, each a heading.
  const size_t schedule = html.find("<h2 id=\"problem-0\">Problem schedule"),
               quant = html.find("<h2 id=\"problem-1\">Problem quant"),
               noc = html.find("<h2 id=\"problem-2\">Problem noc");
  ASSERT_NE(noc, std::string::npos);
  EXPECT_LT(schedule, quant);
  EXPECT_LT(quant, noc);

  const std::string time_task = Section(html, 1);
  // Best so far (two panels of a step curve per run), histogram, scatter (two metrics).
  EXPECT_EQ(Count(time_task, "<svg"), 3u);
  EXPECT_EQ(Count(time_task, "<polyline"), 2u * 2u + 2u);  // steps, then the fronts
  EXPECT_NE(time_task.find(">random seed 1</text>"), std::string::npos);
  EXPECT_NE(time_task.find(">autotvm seed 2</text>"), std::string::npos);
  EXPECT_EQ(Count(time_task, "fill-opacity=\"0.7\" stroke=\"white\""), 5u);  // histogram bars
  EXPECT_NE(time_task.find("<td>compile_error</td><td class=\"n\">1</td>"), std::string::npos);
  EXPECT_NE(time_task.find("<td>timeout</td><td class=\"n\">1</td>"), std::string::npos);
  EXPECT_NE(time_task.find("<td>random seed 1</td><td class=\"n\">7</td><td class=\"n\">1.5</td>"),
            std::string::npos);
  EXPECT_NE(time_task.find("best 1 ms with <code>i</code>"), std::string::npos);
  EXPECT_NE(time_task.find("gflops: a monotone function of time"), std::string::npos);
  EXPECT_NE(time_task.find(">accuracy</text>"), std::string::npos);
  EXPECT_NE(time_task.find(">energy</text>"), std::string::npos);

  const std::string throughput_task = Section(html, 2);
  EXPECT_EQ(Count(throughput_task, "<svg"), 2u);  // no metrics, no scatter
  EXPECT_NE(throughput_task.find("<td>infeasible</td><td class=\"n\">1</td>"), std::string::npos);
  EXPECT_NE(throughput_task.find("No time breakdown recorded"), std::string::npos);
  EXPECT_NE(throughput_task.find("higher is better"), std::string::npos);

  const std::string empty_task = Section(html, 3);
  EXPECT_NE(empty_task.find("No measurements."), std::string::npos);
  EXPECT_EQ(Count(empty_task, "<svg"), 0u);
}

TEST_F(HtmlReportTest, ATaskWithoutSuccessHasNoCharts) {
  {
    RecordStore store(path_);
    const int64_t task = store.EnsureTask({"schedule", "w", "{}", "e", 1}, {"time", "ms", true});
    const int64_t run = store.BeginRun({"random", 1, "tune"});
    store.Append({Record(task, run, "a", 0, "", {}, EvalStatus::kCrash)});
  }
  const std::string html = Render();
  EXPECT_NE(html.find("No successful evaluation"), std::string::npos);
  EXPECT_EQ(Count(html, "<svg"), 0u);
  EXPECT_NE(html.find("<td>crash</td><td class=\"n\">1</td>"), std::string::npos);
}

// Tens of thousands of measurements: curves keep their changes, scatters one mark per few
// pixels, and the page stays small.
TEST_F(HtmlReportTest, LargeDatabasesGiveASmallPage) {
  constexpr int kPerRun = 15000;
  {
    RecordStore store(path_);
    const int64_t task = store.EnsureTask({"quant", "net", "{}", "q", 1}, {"energy", "x", true});
    std::mt19937 random(7);
    std::uniform_real_distribution<double> uniform(0, 1);
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      const int64_t run = store.BeginRun({"random", seed, "tune"});
      std::vector<MeasurementRecord> batch;
      for (int i = 0; i < kPerRun; ++i) {
        const double energy = 1 + uniform(random);
        batch.push_back(Record(task, run, std::to_string(i), energy, "",
                               {{"accuracy", uniform(random)}, {"area", uniform(random)}},
                               i % 3 ? EvalStatus::kOk : EvalStatus::kInfeasible));
      }
      store.Append(batch);
    }
  }
  const std::string html = Render();
  EXPECT_LT(html.size(), 1'000'000u);
  // Every step curve is short: random values improve about ln(n) times.
  size_t curves = 0;
  for (size_t at = html.find("<polyline"); at != std::string::npos;
       at = html.find("<polyline", at + 1), ++curves) {
    const size_t begin = html.find("points=\"", at) + 8;
    const std::string points = html.substr(begin, html.find('"', begin) - begin);
    EXPECT_LT(Count(points, ","), 80u) << points.substr(0, 200);
  }
  EXPECT_EQ(curves, 2u * 2u + 2u);
  // Two scatters of 20,000 distinct successful points and 10,000 infeasible ones each.
  const size_t circles = Count(html, "<circle");
  EXPECT_GT(circles, 2000u);
  // At most one per 3-pixel cell of a 252 x 168 plot (85 x 57 cells) per series and panel.
  EXPECT_LT(circles, 2u * 2u * 85u * 57u + 200u);
}

}  // namespace
}  // namespace tessel
