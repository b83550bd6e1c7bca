#include "tune/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tessel {

ProgressLine::ProgressLine(std::string label, int total, double flops, std::string unit,
                           bool enabled)
    : label_(std::move(label)),
      total_(total),
      flops_(flops),
      unit_(std::move(unit)),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressLine::Update(int done, double best_value) {
  if (!enabled_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = done > 0 ? elapsed / done * (total_ - done) : 0;
  char best[64];
  if (std::isnan(best_value)) {
    std::snprintf(best, sizeof(best), "no success yet");
  } else if (flops_ > 0) {
    std::snprintf(best, sizeof(best), "best %.1f GFLOP/s (%.4g ms)", flops_ / best_value / 1e6,
                  best_value);
  } else {
    std::snprintf(best, sizeof(best), "best %.4g %s", best_value, unit_.c_str());
  }
  std::fprintf(stderr, "%s[%s] %d/%d trials, %s, ETA %dm%02ds%s", terminal_ ? "\r\033[K" : "",
               label_.c_str(), done, total_, best, int(eta) / 60, int(eta) % 60,
               terminal_ ? "" : "\n");
  std::fflush(stderr);
}

void ProgressLine::Finish() {
  if (enabled_ && terminal_) std::fprintf(stderr, "\n");
}

}  // namespace tessel
