// How steady the machine's two-thread arithmetic is, without any of Tessel's kernels: alternately
// measures the FMA peak (core/host.h: independent fused multiply-adds in registers, no memory
// traffic) on one thread and on two, for a given time, and prints each pair as a JSON line and
// the quantiles at the end. A steady machine gives two threads about twice one thread's rate
// in every pair; a machine whose second core is shared with someone else's work does not.
//
//   build-bench/fma_watch SECONDS [MS_PER_MEASUREMENT] > results.jsonl
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/host.h"

namespace {

double Quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

void PrintQuantiles(const char* what, const std::vector<double>& values) {
  std::fprintf(stderr, "%-28s min %7.2f  p10 %7.2f  p50 %7.2f  p90 %7.2f  max %7.2f\n", what,
               Quantile(values, 0), Quantile(values, 0.1), Quantile(values, 0.5),
               Quantile(values, 0.9), Quantile(values, 1));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::atof(argv[1]) <= 0) {
    std::fprintf(stderr, "usage: fma_watch SECONDS [MS_PER_MEASUREMENT (default 10)]\n");
    return 2;
  }
  const double seconds = std::atof(argv[1]);
  const double ms = argc > 2 ? std::atof(argv[2]) : 10;
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> one, two, ratio;
  for (;;) {
    const double at =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (at > seconds) break;
    one.push_back(tessel::MeasureFmaPeak(1, ms).gflops);
    two.push_back(tessel::MeasureFmaPeak(2, ms).gflops);
    ratio.push_back(two.back() / one.back());
    std::printf("{\"at_s\": %.3f, \"one_thread_gflops\": %.1f, \"two_threads_gflops\": %.1f}\n", at,
                one.back(), two.back());
  }
  std::fprintf(stderr, "%zu pairs over %.0f s, each measurement the best of 3 x %.0f ms\n",
               one.size(), seconds, ms);
  PrintQuantiles("1 thread, GFLOP/s", one);
  PrintQuantiles("2 threads, GFLOP/s", two);
  PrintQuantiles("2 threads / 1 thread", ratio);
  return 0;
}
