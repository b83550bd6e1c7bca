// One configuration's kernel time in a fresh process: the index-th of measure_cost's seeded
// sample of a zoo layer's configurations, built with whatever KernelTarget gives in this
// process (TESSEL_KERNEL_CHECKS), warmed up, then timed as the measurer does, with more
// repeats. kernel_speed.sh runs it alternately with and without the checks.
//
//   kernel_time --task r18.2 --configs 16 --seed 1 --index 3 [--repeats 15] [--min-repeat-ms 20]
//
// Prints the median repeat in milliseconds, or "failed: <why>".
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/host.h"
#include "core/rng.h"
#include "measure_cost/config_sample.h"

namespace {

using namespace tessel;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"One sampled configuration's kernel time"};
  std::string task = "r18.2";
  int configs = 16, index = 0, repeats = 15;
  uint64_t seed = 1;
  double min_repeat_ms = 20, warmup_ms = 100;
  app.add_option("--task", task, "a zoo layer, by name");
  app.add_option("--configs", configs, "the sample's size, as measure_cost's --configs");
  app.add_option("--seed", seed, "seeds the sample and the data, as measure_cost's --seed");
  app.add_option("--index", index, "which configuration of the sample");
  app.add_option("--repeats", repeats, "timed repeats");
  app.add_option("--min-repeat-ms", min_repeat_ms, "lower bound on one repeat");
  CLI11_PARSE(app, argc, argv);
  const ZooLayer* layer = nullptr;
  try {
    layer = &FindZooLayer(task);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "kernel_time: %s\n", error.what());
    return 2;
  }
  setenv("HL_NUM_THREADS", std::to_string(DefaultThreadCount()).c_str(), 1);
  const ConfigSample sample = SampleConfigs(*layer, configs, seed);
  if (index < 0 || index >= static_cast<int>(sample.configs.size())) {
    std::fprintf(stderr, "kernel_time: --index must be below %zu\n", sample.configs.size());
    return 2;
  }
  try {
    const std::unique_ptr<Kernel> kernel = sample.tmpl->Build(sample.configs[index], sample.data);
    double steady_ms = 1e30;
    for (const auto warm = Clock::now(); MsSince(warm) < warmup_ms;) {
      const auto start = Clock::now();
      kernel->Run();
      steady_ms = std::min(steady_ms, MsSince(start));
    }
    const int number = std::max(1, static_cast<int>(min_repeat_ms / std::max(steady_ms, 1e-3)));
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (int i = 0; i < number; ++i) kernel->Run();
      times.push_back(MsSince(start) / number);
    }
    std::sort(times.begin(), times.end());
    std::printf("%.6f\n", times[times.size() / 2]);
  } catch (const std::exception& error) {
    std::printf("failed: %s\n", error.what());
  }
  return 0;
}
