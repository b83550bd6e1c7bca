// A progress line on stderr: rewritten in place on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <string>

namespace tessel {

class ProgressLine {
 public:
  // `flops` (0 if unknown) turns a best value in ms into GFLOP/s; `unit` is the objective's.
  ProgressLine(std::string label, int total, double flops, std::string unit, bool enabled);
  // Reports `done` evaluations with the best value so far (NaN if none succeeded).
  void Update(int done, double best_value);
  // Ends the line on a terminal.
  void Finish();

 private:
  std::string label_;
  int total_;
  double flops_;
  std::string unit_;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tessel
