#include "tune/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tessel {

ProgressLine::ProgressLine(std::string label, int total, double flops, bool enabled)
    : label_(std::move(label)),
      total_(total),
      flops_(flops),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressLine::Update(int done, double best_time_ms) {
  if (!enabled_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = done > 0 ? elapsed / done * (total_ - done) : 0;
  char best[64];
  if (std::isnan(best_time_ms)) {
    std::snprintf(best, sizeof(best), "no success yet");
  } else if (flops_ > 0) {
    std::snprintf(best, sizeof(best), "best %.1f GFLOP/s (%.4g ms)", flops_ / best_time_ms / 1e6,
                  best_time_ms);
  } else {
    std::snprintf(best, sizeof(best), "best %.4g ms", best_time_ms);
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
