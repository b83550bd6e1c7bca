// A tuning round's progress: what the tuning loop reports per batch. The run's display
// (progress_display.h) draws it: live bars on a terminal, plain lines otherwise. Without a
// ProgressSession, each round gets a display of its own.
#pragma once

#include <memory>
#include <string>

namespace tessel {

class ProgressDisplay;

class ProgressLine {
 public:
  // A round of `total` evaluations of the task `label`. `flops` (0 if unknown) turns a best
  // value in ms into GFLOP/s; `unit` is the objective's.
  ProgressLine(std::string label, int total, double flops, std::string unit, bool enabled);
  ~ProgressLine();
  // Reports `done` evaluations of the round with the task's best value so far (NaN if none
  // succeeded).
  void Update(int done, double best_value);
  // Ends the round (idempotent; the destructor calls it).
  void Finish();

 private:
  std::unique_ptr<ProgressDisplay> owned_;  // the round's own display, without a session
  ProgressDisplay* display_ = nullptr;      // null when disabled or finished
  size_t task_ = 0;
};

}  // namespace tessel
