#include "tune/progress_display.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/stop_request.h"
#include "tune/progress.h"

namespace tessel {
namespace {

// What a display wrote to its stream.
class ProgressDisplayTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(out_, nullptr); }
  void TearDown() override {
    if (out_) std::fclose(out_);
  }
  ProgressOptions Options(ProgressMode mode, int total = 0) {
    ProgressOptions options;
    options.mode = mode;
    options.total = total;
    options.out = out_;
    options.width = 80;
    return options;
  }
  std::string Written() {
    std::fflush(out_);
    std::string text;
    std::rewind(out_);
    char buffer[4096];
    size_t got;
    while ((got = std::fread(buffer, 1, sizeof(buffer), out_)) > 0) text.append(buffer, got);
    return text;
  }
  static int Count(const std::string& text, const std::string& what) {
    int count = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++count;
    return count;
  }

  FILE* out_ = std::tmpfile();
};

TEST_F(ProgressDisplayTest, ModesByName) {
  EXPECT_EQ(ProgressModeFromName("auto"), ProgressMode::kAuto);
  EXPECT_EQ(ProgressModeFromName("bar"), ProgressMode::kBar);
  EXPECT_EQ(ProgressModeFromName("lines"), ProgressMode::kLines);
  EXPECT_EQ(ProgressModeFromName("none"), ProgressMode::kNone);
  EXPECT_THROW(ProgressModeFromName("fancy"), Error);
}

TEST_F(ProgressDisplayTest, LinesAreFewAndPlain) {
  {
    ProgressDisplay display(Options(ProgressMode::kLines));
    const size_t task = display.BeginRound("mb1.17", 1000, 0, "cycles");
    for (int done = 8; done <= 1000; done += 8) display.Update(task, done, 1000.0 / done);
    display.EndRound(task);
  }
  const std::string text = Written();
  EXPECT_EQ(text.find('\033'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  // One line every 5% or so, not one per batch of 8 (125 of them), and the overall one.
  const int lines = Count(text, "\n");
  EXPECT_GE(lines, 15) << text;
  EXPECT_LE(lines, 22) << text;
  EXPECT_NE(text.find("[mb1.17] 1000/1000 trials, best 1 cycles, ETA 0m00s\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("[all] 1000/1000 measurements (100%), best 1 cycles, elapsed "),
            std::string::npos)
      << text;
}

TEST_F(ProgressDisplayTest, LinesOfManyTasksAddOverallLines) {
  {
    ProgressOptions options = Options(ProgressMode::kLines, 120);
    options.labels = {"a", "b", "c"};
    ProgressDisplay display(options);
    for (const char* label : {"a", "b", "c"}) {
      const size_t task = display.BeginRound(label, 40, 0, "ms");
      for (int done = 8; done <= 40; done += 8) display.Update(task, done, std::nan(""));
      display.EndRound(task);
    }
  }
  const std::string text = Written();
  EXPECT_EQ(Count(text, "[a] "), 5) << text;  // 20% a batch: every batch
  EXPECT_NE(text.find("[b] 40/40 trials, no success yet, ETA 0m00s\n"), std::string::npos);
  EXPECT_NE(text.find("[all] 40/120 measurements (33%), 1/3 tasks, elapsed"), std::string::npos)
      << text;
  EXPECT_NE(text.find("[all] 120/120 measurements (100%), 3/3 tasks, elapsed"), std::string::npos)
      << text;
}

TEST_F(ProgressDisplayTest, ShortRoundsLowerTheTotal) {
  {
    ProgressDisplay display(Options(ProgressMode::kLines, 80));
    const size_t task = display.BeginRound("a", 40, 0, "ms");
    display.Update(task, 16, 2);
    display.EndRound(task);  // the space ran dry
    display.Update(display.BeginRound("b", 40, 0, "ms"), 8, 3);
    RequestStop(2);
    display.EndRound(1);  // stopped: what is left stays to do
    ClearStopRequest();
  }
  const std::string text = Written();
  EXPECT_NE(text.find("[a] 16/40 trials"), std::string::npos) << text;
  EXPECT_NE(text.find("[all] 24/56 measurements (42%)"), std::string::npos) << text;
}

TEST_F(ProgressDisplayTest, BarsRedrawInPlaceAndEndWithTheFinalState) {
  {
    ProgressDisplay display(Options(ProgressMode::kBar, 16));
    const size_t task = display.BeginRound("mb1.17", 16, 0, "cycles");
    display.Update(task, 8, 7);
    display.Print("a message");
    display.Update(task, 16, 5);
    display.EndRound(task);
  }
  const std::string text = Written();
  // Each redraw goes back over the display's two lines and erases them.
  EXPECT_NE(text.find("\r\033[2A\033[J"), std::string::npos) << text;
  // The message is printed on a line of its own, the display erased above and drawn below it.
  const size_t message = text.find("\033[Ja message\nmb1.17 ");
  EXPECT_NE(message, std::string::npos) << text;
  // The final frame: both bars full, ending with a newline (no half-drawn line).
  const std::string last = text.substr(text.rfind("\033[J") + 3);
  EXPECT_EQ(last.rfind("mb1.17 [", 0), 0u) << last;
  EXPECT_NE(last.find("16/16 100%  best 5 cycles  done\nall    ["), std::string::npos) << last;
  EXPECT_EQ(last.back(), '\n');
  EXPECT_EQ(Count(last, "\n"), 2) << last;
  for (size_t begin = 0, end; (end = last.find('\n', begin)) != std::string::npos; begin = end + 1)
    EXPECT_LT(end - begin, 80u) << last;
  EXPECT_EQ(text.find("\033[?25l"), std::string::npos) << "the cursor is never hidden";
}

TEST_F(ProgressDisplayTest, NothingWhenNothingRan) {
  { ProgressDisplay display(Options(ProgressMode::kBar, 16)); }
  { ProgressDisplay display(Options(ProgressMode::kLines, 16)); }
  {
    ProgressDisplay display(Options(ProgressMode::kNone, 16));
    const size_t task = display.BeginRound("a", 16, 0, "ms");
    display.Update(task, 16, 1);
    display.EndRound(task);
  }
  EXPECT_EQ(Written(), "");
}

TEST_F(ProgressDisplayTest, ASessionGathersTheRoundsOfEveryTask) {
  EXPECT_EQ(ActiveProgress(), nullptr);
  {
    ProgressOptions options = Options(ProgressMode::kLines, 48);
    options.labels = {"a", "b"};
    ProgressSession session(options);
    EXPECT_EQ(ActiveProgress(), &session.display());
    // Interleaved rounds, as under --allocation gradient.
    for (const char* label : {"a", "b", "a"}) {
      ProgressLine round(label, 16, 0, "ms", true);
      round.Update(8, 2);
      round.Update(16, 1);
    }
    ProgressLine disabled("b", 16, 0, "ms", false);
    disabled.Update(16, 1);
    PrintAboveProgress("note");
  }
  EXPECT_EQ(ActiveProgress(), nullptr);
  const std::string text = Written();
  EXPECT_NE(text.find("[a] 32/32 trials, best 1 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("[all] 48/48 measurements (100%), 2/2 tasks"), std::string::npos) << text;
  EXPECT_NE(text.find("note\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace tessel
