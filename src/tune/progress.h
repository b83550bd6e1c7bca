// A progress line on stderr: rewritten in place on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <string>

namespace tessel {

class ProgressLine {
 public:
  ProgressLine(std::string label, int total, double flops, bool enabled);
  // Reports `done` measurements with the best time so far (NaN if none succeeded).
  void Update(int done, double best_time_ms);
  // Ends the line on a terminal.
  void Finish();

 private:
  std::string label_;
  int total_;
  double flops_;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tessel
