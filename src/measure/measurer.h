// The Measurer role: turns a batch of configurations into measured results. Failures are
// values (status + message), never exceptions, so a tuning run always goes on.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "space/space.h"

namespace tessel {

enum class MeasureStatus {
  kOk,
  kCompileError,  // the schedule could not be built
  kRuntimeError,  // the kernel reported an error when run
  kWrongResult,   // the output disagrees with the reference
  kTimeout,       // one run took longer than the time limit
  kCrash,         // the process running the kernel died
  kFailed,        // a replayed measurement that failed (empty, nan or inf time)
};

std::string_view MeasureStatusName(MeasureStatus status);
// Throws tessel::Error for an unknown name.
MeasureStatus MeasureStatusFromName(std::string_view name);

struct MeasureResult {
  MeasureStatus status = MeasureStatus::kOk;
  std::string error;                // empty when ok
  double time_ms = std::nan("");    // median of the repeats; nan unless ok
  double spread_ms = std::nan("");  // max - min of the repeats
  std::vector<double> repeats_ms;   // every repeat's mean time per run
  double compile_ms = 0;            // time to build the kernel

  bool ok() const { return status == MeasureStatus::kOk; }
};

class Measurer {
 public:
  virtual ~Measurer() = default;
  // One result per configuration, in order. Every configuration is valid in the task's space.
  virtual std::vector<MeasureResult> Measure(const std::vector<Config>& configs) = 0;
  // Wall seconds the last Measure spent building kernels: less than the sum of their compile
  // times when they are built in parallel. Negative when the measurer does not know, and then
  // the sum of compile_ms stands for it.
  virtual double last_build_seconds() const { return -1; }
};

}  // namespace tessel
