#include "network/layer_threads.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "core/stats.h"

namespace tessel {
namespace {

constexpr double kSampleMs = 0.5;
constexpr int kEarlyPairs = 3;
constexpr double kClearlySlower = 1.5;
// A layer leaves the pool, where it was tuned, only when one thread wins clearly: a round of
// the whole process running slow (bench/networks/stability.sh) must not move it.
constexpr double kClearlyFaster = 0.95;

// Milliseconds per run of layers first..last in order, over `runs` runs back to back.
double TimeRuns(NetworkExecutor& executor, size_t first, size_t last, int runs) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i)
    for (size_t layer = first; layer <= last; ++layer) executor.RunLayer(layer);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
             .count() /
         runs;
}

}  // namespace

std::vector<LayerThreadTiming> ChooseLayerThreads(NetworkExecutor& executor, int rounds) {
  if (rounds < 1) throw ConfigError("the layer thread choice needs at least one round");
  struct Samples {
    size_t layer = 0;
    size_t window_end = 0;                     // the next layer on the pool (inclusive), or `layer`
    int runs = 1;                              // runs of the window per sample
    std::vector<double> pool, single, ratios;  // ratios: single / pool, per pair
  };
  std::vector<Samples> layers;
  for (size_t layer = 0; layer < executor.layers().size(); ++layer) {
    if (!executor.layers()[layer].parallel) continue;
    Samples samples;
    samples.layer = samples.window_end = layer;
    for (size_t next = layer + 1; next < executor.layers().size(); ++next)
      if (executor.layers()[next].parallel) {
        samples.window_end = next;
        break;
      }
    // Warm both ways (the pool's threads, the layers' data), then size a sample.
    const double first_ms = std::max(TimeRuns(executor, layer, samples.window_end, 1), 1e-4);
    executor.SetSingleThreaded(layer, true);
    TimeRuns(executor, layer, samples.window_end, 1);
    executor.SetSingleThreaded(layer, false);
    samples.runs = std::max(1, static_cast<int>(std::ceil(kSampleMs / first_ms)));
    layers.push_back(samples);
  }
  // Round-robin over the layers, so that each layer's pairs spread over the whole choice: the
  // machine's two-thread speed drifts over tenths of a second, and a layer timed only within
  // one slow stretch would see its pool runs slowed and its single-thread runs not.
  for (int round = 0; round < rounds; ++round) {
    for (Samples& samples : layers) {
      if (round >= kEarlyPairs && Median(samples.ratios) > kClearlySlower) continue;
      for (int way = 0; way < 2; ++way) {
        const bool on_one = (way == 0) == (round % 2 == 1);
        executor.SetSingleThreaded(samples.layer, on_one);
        (on_one ? samples.single : samples.pool)
            .push_back(TimeRuns(executor, samples.layer, samples.window_end, samples.runs));
      }
      executor.SetSingleThreaded(samples.layer, false);  // as the other layers' windows expect
      samples.ratios.push_back(samples.single.back() / samples.pool.back());
    }
  }
  std::vector<LayerThreadTiming> timings;
  for (const Samples& samples : layers) {
    LayerThreadTiming& timing = timings.emplace_back();
    timing.layer = samples.layer;
    timing.pool_ms = Median(samples.pool);
    timing.single_ms = Median(samples.single);
    timing.ratio = Median(samples.ratios);
    timing.single = timing.ratio < kClearlyFaster;
    timing.rounds = static_cast<int>(samples.ratios.size());
    executor.SetSingleThreaded(samples.layer, timing.single);
  }
  return timings;
}

}  // namespace tessel
