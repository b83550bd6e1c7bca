// The text of `tessel tune`'s progress, as pure functions of a snapshot: the live display's
// lines for a terminal of a given width, and the plain lines written to logs. No clock and no
// I/O here (progress_display.h does both), so that every layout can be tested.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

// One task as the display shows it.
struct ProgressTaskView {
  enum class Phase { kWaiting, kActive, kIdle };  // idle: ran, and has no round under way
  std::string label;
  int done = 0;                // measurements this run
  int total = 0;               // measurements planned for it so far; 0: unknown
  double best = std::nan("");  // NaN: no successful measurement yet
  double flops = 0;            // turns a best value in ms into GFLOP/s; 0: not a time
  std::string unit;
  double eta_seconds = std::nan("");  // NaN: no rate measured yet
  Phase phase = Phase::kWaiting;
  int64_t last_active = 0;  // larger: active more recently; picks the bars shown
};

// The whole run: its tasks and the overall numbers.
struct ProgressSnapshot {
  std::vector<ProgressTaskView> tasks;
  int done = 0;
  int total = 0;  // 0: unknown
  // The overall best, shown when the run has one task (values of different tasks do not
  // compare); NaN with `show_best` means none yet.
  bool show_best = false;
  double best = std::nan("");
  double flops = 0;
  std::string unit;
  double elapsed_seconds = 0;
  double eta_seconds = std::nan("");
};

// "2m07s", "1h05m"; "--" when unknown (NaN or negative).
std::string FormatDuration(double seconds);
// "best 25.7 GFLOP/s (3.997 ms)", "best 12 cycles", or "no success yet"; `brief` drops the
// time in parentheses.
std::string FormatBest(double best, double flops, const std::string& unit, bool brief = false);
// `text` cut to `columns` display columns (UTF-8 aware; one column per code point), never
// splitting a code point.
std::string FitColumns(const std::string& text, int columns);

// The live display: a bar per task shown (at most `max_task_bars`: the active ones, then the
// most recently active), a summary line for the tasks not shown, and the overall bar last.
// Every line is shorter than `width` columns, so that no terminal wraps it.
std::vector<std::string> RenderProgress(const ProgressSnapshot& snapshot, int width,
                                        int max_task_bars);

// The plain lines, one per line of a log: a task's (the format of earlier releases,
// "[mb1.17] 8/40 trials, best 25.7 GFLOP/s (3.997 ms), ETA 2m07s") and the run's
// ("[all] 24/120 measurements (20%), 1/3 tasks, elapsed 0m12s, ETA 0m48s").
std::string TaskProgressLine(const ProgressTaskView& task);
std::string OverallProgressLine(const ProgressSnapshot& snapshot);

}  // namespace tessel
