// `tessel report` end to end: one HTML file from a database a real run wrote, and the database
// never touched, whatever is wrong.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "cli/command_test_fixture.h"

namespace {

using tessel::cli_testing::Outcome;
using tessel::cli_testing::ReadFile;

namespace fs = std::filesystem;

class ReportCliTest : public tessel::cli_testing::CommandTest {
 protected:
  // r.db: a grid search over a replay table, one configuration failing.
  void TuneATable() {
    std::ofstream(dir_ / "table.csv") << "tile,mode,time_ms\n"
                                         "1,a,5.0\n2,a,3.0\n4,a,4.0\n1,b,nan\n4,b,1.5\n8,a,2.5\n";
    const Outcome tune = Run("tune --space table.csv --tuner grid --trials 6 --seed 3 --db r.db");
    ASSERT_EQ(tune.status, 0) << tune.err;
  }

  // Nothing but `expected` in the test's directory, besides the fixture's own files.
  void ExpectOnlyFiles(std::vector<std::string> expected) {
    expected.insert(expected.end(), {"stdout", "stderr"});
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> present;
    for (const auto& entry : fs::directory_iterator(dir_))
      present.push_back(entry.path().filename().string());
    std::sort(present.begin(), present.end());
    EXPECT_EQ(present, expected);
  }
};

TEST_F(ReportCliTest, WritesOneSelfContainedPageAndLeavesTheDatabaseAlone) {
  TuneATable();
  const std::string before = ReadFile(dir_ / "r.db");
  const Outcome report = Run("report --db r.db");
  ASSERT_EQ(report.status, 0) << report.err;
  EXPECT_EQ(report.out.rfind("wrote report.html (", 0), 0u) << report.out;
  EXPECT_NE(report.out.find("1 task, 1 run, 6 measurements"), std::string::npos) << report.out;
  EXPECT_EQ(std::count(report.out.begin(), report.out.end(), '\n'), 1);
  const std::string html = ReadFile(dir_ / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Generated from <code>r.db</code>"), std::string::npos);
  EXPECT_NE(html.find(">grid seed 3</text>"), std::string::npos);
  EXPECT_NE(html.find("<td>failed</td><td class=\"n\">1</td>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "r.db"), before);
  ExpectOnlyFiles({"table.csv", "r.db", "report.html"});

  // Again, elsewhere, with the database from the environment: the same page.
  ASSERT_EQ(Run("report --out again.html", "TESSEL_DB=r.db").status, 0);
  EXPECT_EQ(ReadFile(dir_ / "again.html"), html);
}

TEST_F(ReportCliTest, AMissingDatabaseIsOneLineAndCreatesNothing) {
  ExpectUsageError("report --db missing.db", "missing.db does not exist");
  ExpectUsageError("report", "tessel.db does not exist");
  ExpectOnlyFiles({});
}

TEST_F(ReportCliTest, FilesOfOtherKindsAreRefusedUnchanged) {
  std::ofstream(dir_ / "notes.txt") << "not a database\n";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "other.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string notes = ReadFile(dir_ / "notes.txt"), other = ReadFile(dir_ / "other.db");
  ExpectUsageError("report --db notes.txt", "notes.txt is not a Tessel database");
  ExpectUsageError("report --db other.db", "other.db is not a Tessel database");
  ExpectUsageError("report --db .", "is a directory");
  EXPECT_EQ(ReadFile(dir_ / "notes.txt"), notes);
  EXPECT_EQ(ReadFile(dir_ / "other.db"), other);
  ExpectOnlyFiles({"notes.txt", "other.db"});
}

TEST_F(ReportCliTest, AnUnwritableOutIsOneLine) {
  TuneATable();
  ExpectUsageError("report --db r.db --out no/such/dir/report.html", "no/such/dir/report.html");
  fs::create_directory(dir_ / "folder");
  ExpectUsageError("report --db r.db --out folder", "is a directory");
  ExpectOnlyFiles({"table.csv", "r.db", "folder"});
}

}  // namespace
