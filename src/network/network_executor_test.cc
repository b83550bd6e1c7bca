#include "network/network_executor.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "network/passes.h"
#include "network/reference_executor.h"
#include "network/small_network_test_util.h"
#include "problems/schedule/local_measurer.h"

namespace tessel {
namespace {

std::optional<Config> DefaultSchedules(const OperatorTemplate&) { return std::nullopt; }

// A 3x3 stride-2 window with a pixel of padding; average pooling may count the padding's taps.
PoolAttrs PaddedWindow(bool count_include_pad) {
  PoolAttrs window;
  window.kernel = 3;
  window.stride = 2;
  window.pad = 1;
  window.count_include_pad = count_include_pad;
  return window;
}

TEST(NetworkExecutorTest, FusedKernelsAgreeWithTheReference) {
  const Graph graph = SmallNetwork(5);
  Rng rng(6);
  const std::vector<float> input = RandomValues(rng, 4 * 12 * 12);
  const std::vector<float> expected = RunReference(graph, input);

  NetworkExecutor defaults(OptimizeForInference(graph), DefaultSchedules);
  EXPECT_LE(RelativeError(defaults.Run(input), expected), 1e-4);
  for (const LayerReport& layer : defaults.layers()) {
    if (!layer.workload.empty()) {
      EXPECT_FALSE(layer.tuned) << layer.name;
    }
  }

  // Random valid schedules of every kernel, as tuning might choose them.
  Rng choices(7);
  NetworkExecutor sampled(OptimizeForInference(graph), [&](const OperatorTemplate& tmpl) {
    return tmpl.space().SampleValid(choices);
  });
  std::vector<double> layer_ms;
  const std::span<const float> result = sampled.Run(input, &layer_ms);
  EXPECT_LE(RelativeError(result, expected), 1e-4);
  ASSERT_EQ(layer_ms.size(), sampled.layers().size());
  for (double ms : layer_ms) EXPECT_GE(ms, 0);
  int fused_residuals = 0;
  for (const LayerReport& layer : sampled.layers()) {
    if (layer.workload.empty()) continue;
    EXPECT_TRUE(layer.tuned) << layer.name;
    fused_residuals += layer.op == "conv2d+add+relu";
  }
  EXPECT_EQ(fused_residuals, 1);
}

TEST(NetworkExecutorTest, PoolingAgreesWithTheReference) {
  // Odd sizes, padding, ceil mode and both average divisors, on a 1x3x11x13 input.
  Rng rng(8);
  const std::vector<float> input = RandomValues(rng, 3 * 11 * 13);
  auto check = [&](const Graph& graph) {
    NetworkExecutor executor(graph, DefaultSchedules);
    EXPECT_LE(RelativeError(executor.Run(input), RunReference(graph, input)), 1e-5) << graph.name;
  };
  const PoolAttrs padded = PaddedWindow(false), counting = PaddedWindow(true);
  PoolAttrs ceil;
  ceil.kernel = 3;
  ceil.stride = 2;
  ceil.ceil_mode = true;
  {
    GraphBuilder b("padded", {1, 3, 11, 13});
    const int max = b.MaxPool("max", 0, padded);
    const int avg = b.AvgPool("avg", 0, padded);
    const int avg_pad = b.AvgPool("avg_pad", 0, counting);
    check(std::move(b).Finish(b.Concat("cat", {max, avg, avg_pad})));
  }
  {
    GraphBuilder b("ceil", {1, 3, 11, 13});
    const int max = b.MaxPool("max", 0, ceil);
    const int avg = b.AvgPool("avg", 0, ceil);
    check(std::move(b).Finish(b.Concat("cat", {max, avg})));
  }
  {
    GraphBuilder b("global", {1, 3, 11, 13});
    check(std::move(b).Finish(b.GlobalAvgPool("gap", 0)));
  }
}

TEST(NetworkExecutorTest, LayersThatNoVectorDividesGetSchedules) {
  // Ten output channels of six columns, and ten outputs: no vector of 4, 8 or 16 divides
  // them; the templates compute twelve and keep ten.
  Rng rng(9);
  GraphBuilder b("ten", {1, 4, 6, 6});
  const int conv = b.Conv2d("conv", 0, 10, 3, 1, 1, 1, RandomValues(rng, 10 * 4 * 9), {});
  const int flat = b.Flatten("flat", b.GlobalAvgPool("gap", b.Relu("relu", conv)));
  const Graph graph =
      std::move(b).Finish(b.Dense("fc", flat, 10, RandomValues(rng, 100), RandomValues(rng, 10)));
  const std::vector<float> input = RandomValues(rng, 4 * 36);
  NetworkExecutor executor(OptimizeForInference(graph), DefaultSchedules);
  EXPECT_LE(RelativeError(executor.Run(input), RunReference(graph, input)), 1e-5);
  for (const auto& layer : executor.layers()) {
    if (layer.workload.starts_with("conv2d") || layer.workload.starts_with("dense")) {
      EXPECT_NE(layer.config.find("tile_"), std::string::npos) << layer.workload;
    }
  }
}

TEST(NetworkExecutorTest, AConfigurationFromAnotherSpaceIsAnError) {
  const Graph graph = OptimizeForInference(SmallNetwork(5));
  try {
    // The first configuration in flat order that the space rejects.
    NetworkExecutor executor(graph, [](const OperatorTemplate& tmpl) {
      for (uint64_t index = 0; index < tmpl.space().Size(); ++index) {
        const Config config = tmpl.space().FromFlatIndex(index);
        if (!tmpl.space().IsValid(config)) return std::optional<Config>(config);
      }
      return std::optional<Config>();
    });
    FAIL() << "an invalid configuration was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("is not valid for"), std::string::npos)
        << error.what();
  }
}

// Channels-last: every kernel reads and writes NHWC, the conversions are layers of their own,
// and the result is the NCHW network's.
TEST(NetworkExecutorTest, ChannelsLastNetworksAgreeWithTheReference) {
  const Graph graph = SmallNetwork(5);
  Rng rng(6);
  const std::vector<float> input = RandomValues(rng, 4 * 12 * 12);
  const std::vector<float> expected = RunReference(graph, input);
  NetworkExecutor defaults(OptimizeForInference(graph, TensorLayout::kNhwc), DefaultSchedules);
  EXPECT_LE(RelativeError(defaults.Run(input), expected), 1e-4);
  int transforms = 0;
  for (const LayerReport& layer : defaults.layers()) {
    transforms += layer.op == "layout_transform";
    if (layer.workload.starts_with("conv2d")) {
      EXPECT_TRUE(layer.workload.ends_with(",layout=nhwc")) << layer.workload;
    }
  }
  EXPECT_EQ(transforms, 1);  // the input; the classifier reads one pixel per channel

  Rng choices(7);
  NetworkExecutor sampled(
      OptimizeForInference(graph, TensorLayout::kNhwc),
      [&](const OperatorTemplate& tmpl) { return tmpl.space().SampleValid(choices); });
  EXPECT_LE(RelativeError(sampled.Run(input), expected), 1e-4);
}

// Pooling, an unfused batch norm, a concatenation and a flatten of many pixels in NHWC, with
// the output converted back.
TEST(NetworkExecutorTest, ChannelsLastLightLayersAgreeWithTheReference) {
  Rng rng(10);
  const std::vector<float> input = RandomValues(rng, 3 * 11 * 13);
  const PoolAttrs padded = PaddedWindow(false), counting = PaddedWindow(true);
  auto check = [&](const Graph& graph) {
    const Graph nhwc = ConvertLayout(graph, TensorLayout::kNhwc);
    NetworkExecutor executor(nhwc, DefaultSchedules);
    EXPECT_LE(RelativeError(executor.Run(input), RunReference(graph, input)), 1e-5) << graph.name;
  };
  {
    GraphBuilder b("pools", {1, 3, 11, 13});
    const int conv = b.Conv2d("conv", 0, 20, 3, 1, 1, 1, RandomValues(rng, 20 * 3 * 9), {});
    const int max = b.MaxPool("max", conv, padded);
    const int avg = b.AvgPool("avg", conv, padded);
    const int avg_pad = b.AvgPool("avg_pad", conv, counting);
    check(std::move(b).Finish(b.Concat("cat", {max, avg, avg_pad})));
  }
  {
    GraphBuilder b("norm_flatten", {1, 3, 11, 13});
    const int conv = b.Conv2d("conv", 0, 9, 1, 1, 0, 1, RandomValues(rng, 9 * 3), {});
    std::vector<float> var = RandomValues(rng, 9, 0.3);
    for (float& v : var) v += 1;
    const int norm = b.BatchNorm("bn", b.Relu("relu", conv), RandomValues(rng, 9),
                                 RandomValues(rng, 9), RandomValues(rng, 9), var, 1e-5f);
    const int wide = b.Flatten("wide", norm);
    check(std::move(b).Finish(b.Dense("fc", wide, 5, RandomValues(rng, 5 * 9 * 143), {})));
  }
}

}  // namespace
}  // namespace tessel
