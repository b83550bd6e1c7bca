#include "tune/progress_render.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tessel {
namespace {

using Phase = ProgressTaskView::Phase;

int Columns(const std::string& text) {
  return static_cast<int>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

ProgressTaskView Task(std::string label, int done, int total, Phase phase, double best = 3.997) {
  ProgressTaskView task;
  task.label = std::move(label);
  task.done = done;
  task.total = total;
  task.best = best;
  task.flops = 25.7 * 3.997 * 1e6;
  task.unit = "ms";
  task.eta_seconds = 127;
  task.phase = phase;
  return task;
}

ProgressSnapshot OneTask() {
  ProgressSnapshot snapshot;
  snapshot.tasks = {Task("mb1.17", 8, 40, Phase::kActive)};
  snapshot.done = 8;
  snapshot.total = 40;
  snapshot.show_best = true;
  snapshot.best = 3.997;
  snapshot.flops = snapshot.tasks[0].flops;
  snapshot.unit = "ms";
  snapshot.elapsed_seconds = 31.8;
  snapshot.eta_seconds = 127;
  return snapshot;
}

void ExpectFits(const std::vector<std::string>& lines, int width) {
  for (const std::string& line : lines) {
    EXPECT_LT(Columns(line), width) << "'" << line << "'";
    EXPECT_EQ(line.find_first_of("\n\r\033"), std::string::npos) << line;
  }
}

TEST(ProgressRenderTest, FormatsDurationsAndBests) {
  EXPECT_EQ(FormatDuration(127.9), "2m07s");
  EXPECT_EQ(FormatDuration(0), "0m00s");
  EXPECT_EQ(FormatDuration(3900), "1h05m");
  EXPECT_EQ(FormatDuration(std::nan("")), "--");
  EXPECT_EQ(FormatDuration(-1), "--");
  EXPECT_EQ(FormatBest(3.997, 25.7 * 3.997 * 1e6, "ms"), "best 25.7 GFLOP/s (3.997 ms)");
  EXPECT_EQ(FormatBest(3.997, 25.7 * 3.997 * 1e6, "ms", true), "best 25.7 GFLOP/s");
  EXPECT_EQ(FormatBest(1234, 0, "cycles"), "best 1234 cycles");
  EXPECT_EQ(FormatBest(std::nan(""), 0, "cycles"), "no success yet");
}

TEST(ProgressRenderTest, PlainLinesKeepTheEarlierFormat) {
  const ProgressSnapshot snapshot = OneTask();
  EXPECT_EQ(TaskProgressLine(snapshot.tasks[0]),
            "[mb1.17] 8/40 trials, best 25.7 GFLOP/s (3.997 ms), ETA 2m07s");
  EXPECT_EQ(OverallProgressLine(snapshot),
            "[all] 8/40 measurements (20%), best 25.7 GFLOP/s (3.997 ms), elapsed 0m31s, ETA "
            "2m07s");
}

TEST(ProgressRenderTest, OneTaskAtEachWidth) {
  for (int width : {40, 80, 200}) {
    const std::vector<std::string> lines = RenderProgress(OneTask(), width, 4);
    ASSERT_EQ(lines.size(), 2u) << width;
    ExpectFits(lines, width);
    EXPECT_EQ(lines[0].rfind("mb1.17 ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1].rfind("all    ", 0), 0u) << lines[1];
    EXPECT_NE(lines[0].find("8/40  20%"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("8/40  20%"), std::string::npos) << lines[1];
  }
  // Wide enough: everything, with a bar a fifth full.
  const std::vector<std::string> wide = RenderProgress(OneTask(), 200, 4);
  EXPECT_NE(wide[0].find("[########" + std::string(32, '.') + "]"), std::string::npos) << wide[0];
  EXPECT_NE(wide[0].find("best 25.7 GFLOP/s (3.997 ms)  ETA 2m07s"), std::string::npos);
  EXPECT_NE(wide[1].find("elapsed 0m31s  ETA 2m07s"), std::string::npos) << wide[1];
  // 80 columns keep the bar, the rate and the ETA.
  const std::vector<std::string> normal = RenderProgress(OneTask(), 80, 4);
  EXPECT_NE(normal[0].find("[#"), std::string::npos) << normal[0];
  EXPECT_NE(normal[0].find("ETA 2m07s"), std::string::npos) << normal[0];
  EXPECT_NE(normal[1].find("ETA 2m07s"), std::string::npos) << normal[1];
  // 40 columns drop details before the bar goes.
  const std::vector<std::string> narrow = RenderProgress(OneTask(), 40, 4);
  EXPECT_NE(narrow[0].find("[#"), std::string::npos) << narrow[0];
  EXPECT_EQ(narrow[0].find("(3.997 ms)"), std::string::npos) << narrow[0];
}

TEST(ProgressRenderTest, TinyWidthsNeverWrap) {
  for (int width = 1; width < 40; ++width) ExpectFits(RenderProgress(OneTask(), width, 4), width);
}

TEST(ProgressRenderTest, LongNamesAreShortenedInTheMiddle) {
  ProgressSnapshot snapshot = OneTask();
  snapshot.tasks[0].label = "resnet18_a_very_long_layer_name.117";
  for (int width : {40, 80, 200}) {
    const std::vector<std::string> lines = RenderProgress(snapshot, width, 4);
    ExpectFits(lines, width);
    EXPECT_EQ(lines[0].find(snapshot.tasks[0].label), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(".."), std::string::npos) << lines[0];
    EXPECT_EQ(lines[0].rfind("res", 0), 0u) << lines[0];
    // The task bar and the overall bar start their bars in the same column.
    EXPECT_EQ(lines[0].find(" ["), lines[1].find(" [")) << lines[0] << "\n" << lines[1];
  }
  EXPECT_NE(RenderProgress(snapshot, 80, 4)[0].find("resnet18_.._name.117 "), std::string::npos);
  // UTF-8 names are cut between code points.
  snapshot.tasks[0].label =
      "\xc3\xa9t\xc3\xa9_\xc3\xa9t\xc3\xa9_\xc3\xa9t\xc3\xa9_\xc3\xa9t\xc3\xa9";
  const std::string cut = RenderProgress(snapshot, 24, 4)[0];
  EXPECT_EQ(cut.substr(0, 3), "\xc3\xa9t") << cut;
  EXPECT_EQ(FitColumns("\xc3\xa9t\xc3\xa9", 3), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(FitColumns("\xc3\xa9t\xc3\xa9", 1), "\xc3\xa9");
}

TEST(ProgressRenderTest, ZeroBudgetAndUnknownsAtTheStart) {
  ProgressSnapshot snapshot;
  snapshot.tasks = {Task("t", 0, 0, Phase::kActive, std::nan(""))};
  snapshot.tasks[0].eta_seconds = std::nan("");
  snapshot.show_best = true;
  for (int width : {40, 80, 200}) {
    const std::vector<std::string> lines = RenderProgress(snapshot, width, 4);
    ASSERT_EQ(lines.size(), 2u);
    ExpectFits(lines, width);
    for (const std::string& line : lines) {
      EXPECT_EQ(line.find("nan"), std::string::npos) << line;
      EXPECT_EQ(line.find("inf"), std::string::npos) << line;
      EXPECT_NE(line.find("0/?"), std::string::npos) << line;
    }
  }
  const std::vector<std::string> lines = RenderProgress(snapshot, 200, 4);
  EXPECT_NE(lines[0].find("no success yet  ETA --"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("elapsed 0m00s  ETA --"), std::string::npos) << lines[1];
  EXPECT_EQ(OverallProgressLine(snapshot),
            "[all] 0 measurements, no success yet, elapsed 0m00s, ETA --");
  // A budget, nothing measured yet: an empty bar, the ETA unknown.
  snapshot.tasks[0].total = snapshot.total = 40;
  const std::string start = RenderProgress(snapshot, 80, 4)[1];
  EXPECT_NE(start.find("[......"), std::string::npos) << start;
  EXPECT_NE(start.find("0/40   0%"), std::string::npos) << start;
  EXPECT_NE(start.find("ETA --"), std::string::npos) << start;
}

TEST(ProgressRenderTest, ManyTasksCollapseIntoASummary) {
  ProgressSnapshot snapshot;
  for (int i = 0; i < 70; ++i) {
    Phase phase = i < 10 ? Phase::kIdle : (i == 12 || i == 40 ? Phase::kActive : Phase::kWaiting);
    snapshot.tasks.push_back(
        Task("mb1." + std::to_string(i), phase == Phase::kWaiting ? 0 : 8, 40, phase));
    snapshot.tasks.back().last_active = i;
  }
  snapshot.total = 70 * 40;
  snapshot.done = 12 * 8;
  snapshot.eta_seconds = 600;
  for (int width : {40, 80, 200}) {
    const std::vector<std::string> lines = RenderProgress(snapshot, width, 4);
    ExpectFits(lines, width);
    // The two active tasks, then the two most recently active: in the run's order.
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[0].rfind("mb1.8 ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1].rfind("mb1.9 ", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2].rfind("mb1.12 ", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3].rfind("mb1.40 ", 0), 0u) << lines[3];
    EXPECT_EQ(lines[5].rfind("all ", 0), 0u) << lines[5];
  }
  EXPECT_EQ(RenderProgress(snapshot, 80, 4)[4], "+ 66 more tasks: 0 active, 8 tuned, 58 waiting");
  // Idle tasks say so instead of an ETA; the overall bar has no best across tasks.
  const std::vector<std::string> lines = RenderProgress(snapshot, 200, 4);
  EXPECT_NE(lines[0].find("  stopped"), std::string::npos) << lines[0];  // 8 of 40
  snapshot.tasks[8].done = 40;
  EXPECT_NE(RenderProgress(snapshot, 200, 4)[0].find("  done"), std::string::npos);
  EXPECT_EQ(lines[5].find("best"), std::string::npos) << lines[5];
  EXPECT_NE(lines[5].find("96/2800   3%"), std::string::npos) << lines[5];
  EXPECT_NE(OverallProgressLine(snapshot).find("12/70 tasks"), std::string::npos);
  // One bar only: the active one comes first.
  const std::vector<std::string> one = RenderProgress(snapshot, 80, 1);
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[0].rfind("mb1.40 ", 0), 0u) << one[0];
  EXPECT_EQ(one[1], "+ 69 more tasks: 1 active, 10 tuned, 58 waiting");
}

}  // namespace
}  // namespace tessel
