// The dashboard's pieces without a server: its page around the report's body, the version that
// tells it the database changed. (The live, consistent reads it relies on are RecordStore's,
// tested in record_store_test.cc.)
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/dashboard_page.h"
#include "report/db_version.h"
#include "report/html_report.h"
#include "report/report_data.h"
#include "report/report_test_db.h"

namespace tessel {
namespace {

using report_testing::Record;

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

using report_testing::Count;

class DashboardTest : public report_testing::ReportDbTest {};

TEST_F(DashboardTest, TheFileReportAndTheDashboardWrapOneBody) {
  WriteSmallDb();
  const RecordStore store(path_, RecordStore::Access::kReadOnly);
  const ReportData data = ReadReport(store);
  const std::string body = RenderReportBody(data, "r <1>.db");
  ASSERT_EQ(body.rfind("<h1>Tessel records</h1>", 0), 0u);
  const std::string file = RenderHtmlReport(data, "r <1>.db");
  EXPECT_NE(file.find("<body>\n" + body + "</body>"), std::string::npos);

  DbVersion version;
  version.measurements = 13;
  version.runs = 2;
  const std::string page = RenderDashboardPage(body, "r <1>.db", version, "12:00:00 UTC", 1500);
  EXPECT_NE(page.find("data-version=\"" + version.Token() + "\">\n" + body + "</div>"),
            std::string::npos);
  EXPECT_NE(page.find("<span id=\"measurements\">13</span>"), std::string::npos);
  EXPECT_NE(page.find("<span id=\"updated\">12:00:00 UTC</span>"), std::string::npos);
  EXPECT_NE(page.find("Live view of <code>r &lt;1&gt;.db</code>"), std::string::npos);
  EXPECT_NE(page.find(ReportStyle()), std::string::npos);
  // One inline script, which asks only its own server (relative paths), every 1.5 s.
  EXPECT_EQ(Count(page, "<script"), 1u);
  EXPECT_NE(page.find("setTimeout(poll, 1500)"), std::string::npos);
  EXPECT_EQ(page.find("POLL_MS"), std::string::npos);
  EXPECT_EQ(Count(page, "http"), Count(page, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(page.find("src="), std::string::npos);
}

TEST_F(DashboardTest, VersionJsonCarriesTheTokenAndTheCounts) {
  DbVersion version;
  version.measurements = 5;
  version.last_measurement = 7;
  version.runs = 2;
  version.tasks = 3;
  const nlohmann::json json = nlohmann::json::parse(DbVersionJson(version));
  EXPECT_EQ(json["version"], version.Token());
  EXPECT_EQ(json["measurements"], 5);
  EXPECT_EQ(json["runs"], 2);
  EXPECT_EQ(json["tasks"], 3);
}

TEST_F(DashboardTest, TheVersionFollowsAWriterAndWritesNothing) {
  RecordStore writer(path_);
  const int64_t task = writer.EnsureTask({"replay", "t", "{}", "table", 1}, {"time", "ms", true});
  const int64_t run = writer.BeginRun({"random", 1, "tune"});
  writer.Append({Record(task, run, "a", 2, "")});
  const std::string before = Bytes(path_);

  DbVersionProbe probe(path_);
  const DbVersion first = probe.Read();
  EXPECT_EQ(first.measurements, 1);
  EXPECT_EQ(first.runs, 1);
  EXPECT_EQ(first.tasks, 1);
  EXPECT_EQ(probe.Read().Token(), first.Token());  // nothing changed

  writer.Append({Record(task, run, "b", 1, ""), Record(task, run, "c", 3, "")});
  const DbVersion second = probe.Read();
  EXPECT_EQ(second.measurements, 3);
  EXPECT_NE(second.Token(), first.Token());

  // A breakdown replaced with another of the same count still changes the version.
  writer.RecordRunTimes({run, task, 3, 1, 1, 0, 0, 2});
  const DbVersion third = probe.Read();
  EXPECT_EQ(third.run_times, 1);
  writer.RecordRunTimes({run, task, 3, 1, 1, 0, 0, 5});
  EXPECT_NE(probe.Read().Token(), third.Token());
  // The writer's commits went to its -wal; the reader wrote nothing to the database file.
  EXPECT_EQ(Bytes(path_), before);
}

}  // namespace
}  // namespace tessel
