// The report's networks: which runs are broken down, and what their sections hold.
#include "report/network_view.h"

#include <gtest/gtest.h>

#include "records/network_run_test_util.h"
#include "report/html_report.h"
#include "report/report_test_db.h"

namespace tessel {
namespace {

using report_testing::Count;

// A network run of two layers: a convolution (tuned, of task 1, when `linked`) and a pooling.
// Its host's peak differs from run to run, as on one machine.
NetworkRunRecord NetworkRun(const std::string& network, int threads, const std::string& cpu,
                            double conv_ms, bool linked) {
  const std::string host = R"({"cpu":")" + cpu + R"(","cpus":2,"fma_peak_gflops":)" +
                           std::to_string(100 + conv_ms) + R"(,"fma_peak_threads":2})";
  return testing_util::TwoLayerNetworkRun(network, threads, host, conv_ms,
                                          linked ? std::optional<int64_t>(1) : std::nullopt);
}

class NetworkViewTest : public report_testing::ReportDbTest {
 protected:
  // Runs 1 and 2: "tiny" at 1 thread on one machine (two peaks: the same machine); 3: at 2
  // threads; 4: on another machine; 5: a network whose name needs escaping.
  void WriteNetworkRuns() {
    WriteSmallDb();
    RecordStore store(path_);
    store.RecordNetworkRun(NetworkRun("tiny", 1, "Test CPU", 3.0, false));
    store.RecordNetworkRun(NetworkRun("tiny", 1, "Test CPU", 2.0, true));
    store.RecordNetworkRun(NetworkRun("tiny", 2, "Test CPU", 1.5, true));
    store.RecordNetworkRun(NetworkRun("tiny", 1, "Other CPU", 2.5, true));
    store.RecordNetworkRun(NetworkRun("<net>", 1, "Test CPU", 1.0, false));
  }
  ReportData Read() {
    const RecordStore store(path_, RecordStore::Access::kReadOnly);
    return ReadReport(store);
  }
};

TEST_F(NetworkViewTest, TheNewestRunPerNetworkThreadsAndMachineIsBrokenDown) {
  WriteNetworkRuns();
  const ReportData data = Read();
  ASSERT_EQ(data.networks.size(), 5u);
  EXPECT_FALSE(data.networks[0].newest);  // run 2 is newer on the same machine and threads
  EXPECT_TRUE(data.networks[1].newest);
  EXPECT_TRUE(data.networks[2].newest);
  EXPECT_TRUE(data.networks[3].newest);
  EXPECT_TRUE(data.networks[4].newest);
  EXPECT_EQ(data.networks[3].host_short, "Other CPU, 2 cores");
  EXPECT_EQ(data.networks[1].run.layers.size(), 2u);

  const std::string html = RenderHtmlReport(data, "records.db");
  EXPECT_EQ(Count(html, "<h2 id=\"networks\">Networks</h2>"), 1u);
  EXPECT_NE(html.find("<a href=\"#networks\">networks</a> (5 network runs)"), std::string::npos);
  EXPECT_EQ(html.find("<section id=\"network-1\">"), std::string::npos);
  for (int id = 2; id <= 5; ++id)
    EXPECT_EQ(Count(html, "<section id=\"network-" + std::to_string(id) + "\">"), 1u) << id;
  // The runs' table has a row per run; only the newest link to their sections.
  EXPECT_EQ(Count(html, "<td>tessel run --model") + Count(html, "<code>tessel run --model"), 5u);
  EXPECT_EQ(Count(html, "<a href=\"#network-"), 4u);
  EXPECT_NE(html.find("&lt;net&gt;, 1 thread (network run 5)"), std::string::npos);
  EXPECT_EQ(html.find("<net>"), std::string::npos);
}

TEST_F(NetworkViewTest, ASectionGivesEachLayersTimeAndShareAndLinksTunedLayersToTheirTask) {
  WriteNetworkRuns();
  const std::string html = RenderHtmlReport(Read(), "records.db");
  const size_t begin = html.find("<section id=\"network-2\">");
  ASSERT_NE(begin, std::string::npos);
  const std::string section = html.substr(begin, html.find("</section>", begin) - begin);
  EXPECT_NE(section.find("tiny, 1 thread (network run 2)"), std::string::npos);
  EXPECT_NE(section.find("median 2.500 ms over 5 runs (min 2.400, max 2.750)"), std::string::npos);
  EXPECT_NE(section.find("add up to 2.500 ms"), std::string::npos);
  // conv1: 2 of 2.5 ms; the pooling the rest.
  EXPECT_NE(section.find("<a href=\"#task-1\">n.1</a>"), std::string::npos);
  EXPECT_NE(section.find("<td class=\"n\">80.0%</td>"), std::string::npos);
  EXPECT_NE(section.find("<td class=\"n\">20.0%</td>"), std::string::npos);
  // Per operator, the fused epilogue folded into its operator: conv2d, then max_pool.
  const size_t conv = section.find("<tr><td>conv2d</td><td class=\"n\">1</td>");
  const size_t pool = section.find("<tr><td>max_pool</td><td class=\"n\">1</td>");
  ASSERT_NE(conv, std::string::npos);
  ASSERT_NE(pool, std::string::npos);
  EXPECT_LT(conv, pool);
  // An untuned layer names its task without a link.
  const size_t old_begin = html.find("<section id=\"network-5\">");
  const std::string untuned =
      html.substr(old_begin, html.find("</section>", old_begin) - old_begin);
  EXPECT_EQ(untuned.find("href=\"#task-"), std::string::npos);
  EXPECT_NE(untuned.find(">n.1</td>"), std::string::npos);
}

TEST_F(NetworkViewTest, NoNetworkRunsNoSection) {
  WriteSmallDb();
  const std::string html = RenderHtmlReport(Read(), "records.db");
  EXPECT_EQ(html.find("Networks"), std::string::npos);
  EXPECT_EQ(html.find("network run"), std::string::npos);
}

TEST_F(NetworkViewTest, ADatabaseWithNetworkRunsButNoTasksShowsThem) {
  {
    RecordStore store(path_);
    store.RecordNetworkRun(NetworkRun("tiny", 1, "Test CPU", 2.0, false));
  }
  const std::string html = RenderHtmlReport(Read(), "records.db");
  EXPECT_NE(html.find("The database has no tasks."), std::string::npos);
  EXPECT_EQ(Count(html, "<section id=\"network-1\">"), 1u);
}

}  // namespace
}  // namespace tessel
