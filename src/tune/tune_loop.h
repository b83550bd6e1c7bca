// The tuning loop: ask the tuner for a batch, measure it, hand every result to the records
// and back to the tuner, until the trial budget is spent, the space is exhausted or the best
// result stopped improving (early stopping).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "measure/measurer.h"
#include "tune/tuner.h"

namespace tessel {

struct TuneOptions {
  int trials = 100;        // measurements to make, failures included
  int batch_size = 8;      // configurations per tuner request and per records transaction
  int early_stopping = 0;  // stop after this many measurements without improvement; 0: never
  bool progress = true;    // a progress line on stderr

  void Validate() const;  // throws tessel::Error naming the offending option
};

struct TuneResult {
  int measurements = 0;        // configurations measured, failures included
  std::optional<Config> best;  // best successful configuration
  double best_time_ms = std::nan("");
  std::vector<double> curve;  // best time after each measurement; NaN before any
  // Wall seconds since the start when each measurement's batch was done (not reproducible:
  // for "time to reach" figures).
  std::vector<double> elapsed_seconds;
  // Where the wall time went: compiling kernels (wall time, so parallel builds count once),
  // running them (the measurer's time besides
  // compiling: forks, warm-up, checks, timed repeats), fitting cost models, and the rest of
  // the tuner (search); the remainder of wall_seconds is recording and progress.
  double compile_seconds = 0;
  double run_seconds = 0;
  double fit_seconds = 0;
  double search_seconds = 0;
  double wall_seconds = 0;
};

// Called with each measured batch before the tuner sees it, e.g. to append it to the records.
using BatchCallback =
    std::function<void(const std::vector<Config>&, const std::vector<MeasureResult>&)>;

// `label` names the task on the progress line; `flops` (0 if unknown) turns times into
// GFLOP/s there.
TuneResult Tune(const std::string& label, double flops, Tuner& tuner, Measurer& measurer,
                const TuneOptions& options, const BatchCallback& on_batch);

}  // namespace tessel
