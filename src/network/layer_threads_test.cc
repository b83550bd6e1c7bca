#include "network/layer_threads.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "network/passes.h"
#include "network/small_network_test_util.h"

namespace tessel {
namespace {

std::optional<Config> DefaultSchedules(const OperatorTemplate&) { return std::nullopt; }

TEST(LayerThreadsTest, TimesEveryPoolLayerAndKeepsItsChoice) {
  const Graph graph = OptimizeForInference(SmallNetwork(5));
  Rng rng(6);
  const std::vector<float> input = RandomValues(rng, 4 * 12 * 12);
  NetworkExecutor executor(graph, DefaultSchedules);
  const std::vector<float> before = [&] {
    const std::span<const float> out = executor.Run(input);
    return std::vector<float>(out.begin(), out.end());
  }();

  const std::vector<LayerThreadTiming> timings = ChooseLayerThreads(executor, 3);
  // Every compiled kernel (convolutions, dense, pooling) is timed; plain loops are not.
  size_t compiled = 0;
  for (const LayerReport& layer : executor.layers()) {
    const bool halide = !layer.workload.empty() || layer.op.find("pool") != std::string::npos;
    EXPECT_EQ(layer.parallel, halide) << layer.name;
    compiled += halide;
  }
  EXPECT_EQ(timings.size(), compiled);
  size_t previous = 0;
  for (const LayerThreadTiming& timing : timings) {
    EXPECT_GE(timing.layer, previous);
    previous = timing.layer + 1;
    EXPECT_GT(timing.pool_ms, 0);
    EXPECT_GT(timing.single_ms, 0);
    EXPECT_GE(timing.rounds, 1);
    EXPECT_LE(timing.rounds, 3);
    EXPECT_EQ(timing.single, timing.ratio < 0.95) << timing.ratio;
    EXPECT_EQ(executor.layers()[timing.layer].single_threaded, timing.single);
  }
  // The same code runs whichever thread it is on: the same output, to the bit.
  const std::span<const float> after = executor.Run(input);
  EXPECT_EQ(std::vector<float>(after.begin(), after.end()), before);
  for (size_t i = 0; i < executor.layers().size(); ++i) executor.SetSingleThreaded(i, true);
  const std::span<const float> single = executor.Run(input);
  EXPECT_EQ(std::vector<float>(single.begin(), single.end()), before);
}

TEST(LayerThreadsTest, RefusesNoRounds) {
  NetworkExecutor executor(OptimizeForInference(SmallNetwork(5)), DefaultSchedules);
  EXPECT_THROW(ChooseLayerThreads(executor, 0), Error);
}

}  // namespace
}  // namespace tessel
