#include "tune/tune_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "tune/progress.h"

namespace tessel {

void TuneOptions::Validate() const {
  if (trials < 1) throw ConfigError("--trials must be a positive number");
  if (batch_size < 1) throw ConfigError("--batch-size must be a positive number");
  if (early_stopping < 0) throw ConfigError("--early-stopping must not be negative");
}

TuneResult Tune(const std::string& label, double flops, Tuner& tuner, Measurer& measurer,
                const TuneOptions& options, const BatchCallback& on_batch) {
  options.Validate();
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const auto start = Clock::now();
  TuneResult result;
  const double fit_before = tuner.fit_seconds();
  ProgressLine progress(label, options.trials, flops, options.progress);
  int since_improvement = 0;
  while (result.measurements < options.trials) {
    const int want = std::min(options.batch_size, options.trials - result.measurements);
    const auto search_start = Clock::now();
    std::vector<Config> batch = tuner.NextBatch(want);
    result.search_seconds += seconds_since(search_start);
    if (batch.empty()) break;  // the space is exhausted
    TESSEL_CHECK(static_cast<int>(batch.size()) <= want) << "the tuner overfilled a batch";

    const auto measure_start = Clock::now();
    std::vector<MeasureResult> measured = measurer.Measure(batch);
    const double measure_seconds = seconds_since(measure_start);
    double compile_seconds = measurer.last_build_seconds();
    if (compile_seconds < 0) {
      compile_seconds = 0;
      for (const MeasureResult& one : measured)
        if (std::isfinite(one.compile_ms)) compile_seconds += one.compile_ms / 1000;
    }
    compile_seconds = std::min(compile_seconds, measure_seconds);
    result.compile_seconds += compile_seconds;
    result.run_seconds += measure_seconds - compile_seconds;
    TESSEL_CHECK(measured.size() == batch.size()) << "one result per configuration";
    if (on_batch) on_batch(batch, measured);

    bool stop = false;
    const double batch_done = seconds_since(start);
    for (size_t i = 0; i < batch.size(); ++i) {
      ++result.measurements;
      if (measured[i].ok() && !(measured[i].time_ms >= result.best_time_ms)) {
        result.best_time_ms = measured[i].time_ms;
        result.best = batch[i];
        since_improvement = 0;
      } else {
        ++since_improvement;
      }
      result.curve.push_back(result.best_time_ms);
      result.elapsed_seconds.push_back(batch_done);
      if (options.early_stopping > 0 && since_improvement >= options.early_stopping) stop = true;
    }
    const auto update_start = Clock::now();
    tuner.Update(batch, measured);
    result.search_seconds += seconds_since(update_start);
    progress.Update(result.measurements, result.best_time_ms);
    if (stop) break;
  }
  progress.Finish();
  result.fit_seconds = std::min(tuner.fit_seconds() - fit_before, result.search_seconds);
  result.search_seconds -= result.fit_seconds;
  result.wall_seconds = seconds_since(start);
  return result;
}

}  // namespace tessel
