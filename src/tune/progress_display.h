// `tessel tune`'s progress on a stream (stderr): a live display redrawn in place on a terminal
// (progress_render.h draws it), plain lines elsewhere. The tuning loop reports rounds through
// ProgressLine (progress.h); a ProgressSession makes one display the run's, so that rounds of
// many tasks, interleaved or not, share it, and PrintAboveProgress writes messages without
// garbling it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tune/progress_render.h"

namespace tessel {

// auto: a bar on a terminal, lines otherwise.
enum class ProgressMode { kAuto, kBar, kLines, kNone };
// "auto", "bar", "lines" or "none"; throws ConfigError naming --progress otherwise.
ProgressMode ProgressModeFromName(const std::string& name);

struct ProgressOptions {
  ProgressMode mode = ProgressMode::kAuto;
  // The run's measurements; 0: the sum of the tasks' rounds (under --resume, whose records
  // shorten them unforeseeably).
  int total = 0;
  std::vector<std::string> labels;  // the run's tasks, so that waiting ones are counted
  FILE* out = stderr;
  int width = 0;  // columns; 0: the terminal's (80 when it does not say)
};

class ProgressDisplay {
 public:
  explicit ProgressDisplay(ProgressOptions options);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // A round of `count` measurements of the task `label` begins; returns its handle.
  size_t BeginRound(const std::string& label, int count, double flops, const std::string& unit);
  // `done` measurements of the round are made; `best` is the task's best (NaN: none yet).
  void Update(size_t task, int done, double best);
  // The round is over: a short one (space exhausted, early stopping; not a stop request)
  // lowers the run's total by what it left.
  void EndRound(size_t task);
  // One line on the stream, above the live display, which is redrawn below it.
  void Print(const std::string& message);
  // Leaves the final state on the stream (idempotent; the destructor calls it).
  void Close();

  bool live() const { return mode_ == ProgressMode::kBar; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Task {
    ProgressTaskView view;
    int round_count = 0, round_done = 0;
    double seconds = 0;  // spent in its finished rounds
    Clock::time_point round_start;
    int printed = 0;  // done at its last plain line
  };

  ProgressSnapshot Snapshot(Clock::time_point now) const;
  int Width() const;
  // Bar mode, with mutex_ held: erases the display, or draws it (at most every 100 ms unless
  // `force`).
  void Erase();
  void Draw(bool force);
  void Tick();  // the ticker thread: keeps elapsed and ETA moving during long batches

  const ProgressOptions options_;
  ProgressMode mode_;
  std::mutex mutex_;
  std::vector<Task> tasks_;
  int total_ = 0;
  bool started_ = false, closed_ = false;
  Clock::time_point start_;
  int64_t activity_ = 0;
  int lines_on_screen_ = 0;
  Clock::time_point last_draw_;
  int overall_printed_ = -1;  // done at the last overall plain line
  std::condition_variable wake_;
  std::thread ticker_;
};

// Makes a display the one ProgressLine and PrintAboveProgress use while it lives.
class ProgressSession {
 public:
  explicit ProgressSession(ProgressOptions options);
  ~ProgressSession();
  ProgressDisplay& display() { return display_; }

 private:
  ProgressDisplay display_;
  ProgressDisplay* previous_;
};

// The session's display; null when none.
ProgressDisplay* ActiveProgress();
// A line on stderr that leaves a live display intact: code that prints while tuning uses it.
void PrintAboveProgress(const std::string& message);

}  // namespace tessel
