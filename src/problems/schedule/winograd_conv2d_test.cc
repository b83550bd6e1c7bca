#include "problems/schedule/winograd_conv2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/random_values_test_util.h"
#include "problems/schedule/reference_ops.h"

namespace tessel {
namespace {

Conv2dShape Shape(int64_t c, int64_t h, int64_t w, int64_t k, int64_t pad) {
  Conv2dShape shape;
  shape.c = c;
  shape.h = h;
  shape.w = w;
  shape.k = k;
  shape.r = 3;
  shape.s = 3;
  shape.stride = 1;
  shape.pad = pad;
  return shape;
}

// Builds and runs the Winograd kernel with an epilogue and returns its largest error relative
// to the largest reference output.
double WinogradError(const Conv2dShape& shape, const WinogradSchedule& schedule, bool epilogue) {
  Rng rng(7);
  const std::vector<float> input = RandomValues(shape.n * shape.c * shape.h * shape.w, rng);
  const std::vector<float> weights = RandomValues(shape.k * shape.c * 9, rng);
  const size_t outputs = shape.n * shape.k * shape.out_h() * shape.out_w();
  const std::vector<float> bias = RandomValues(shape.k, rng);
  const std::vector<float> residual = RandomValues(outputs, rng);
  std::vector<float> expected = ReferenceConv2d(shape, input, weights);
  LayerBinding layer{input.data(), weights.data()};
  if (epilogue) {
    layer.bias = bias.data();
    layer.residual = residual.data();
    layer.relu = true;
    const size_t plane = shape.out_h() * shape.out_w();
    for (size_t i = 0; i < outputs; ++i)
      expected[i] = std::max(0.f, expected[i] + bias[(i / plane) % shape.k] + residual[i]);
  }
  const int64_t padded_k = (shape.k + schedule.k_inner - 1) / schedule.k_inner * schedule.k_inner;
  const std::unique_ptr<Kernel> kernel = BuildWinogradConv2d(shape, padded_k, schedule, layer);
  kernel->Run();
  return RelativeError(kernel->Output(), expected);
}

TEST(WinogradConv2d, AppliesToThreeByThreeStrideOneUngroupedLayersOnly) {
  EXPECT_TRUE(WinogradApplies(Shape(64, 56, 56, 64, 1)));
  Conv2dShape strided = Shape(64, 56, 56, 64, 1);
  strided.stride = 2;
  EXPECT_FALSE(WinogradApplies(strided));
  Conv2dShape grouped = Shape(64, 56, 56, 64, 1);
  grouped.groups = 64;
  EXPECT_FALSE(WinogradApplies(grouped));
  Conv2dShape pointwise = Shape(64, 56, 56, 64, 0);
  pointwise.r = pointwise.s = 1;
  EXPECT_FALSE(WinogradApplies(pointwise));
}

// Both tile sizes, on shapes whose outputs no tile divides (odd and prime sizes), with and
// without padding, output channels that the register tile does not divide, and the layer's
// epilogue: within the measurer's correctness tolerance of the direct reference.
TEST(WinogradConv2d, AgreesWithTheReferenceOnOddShapesWithEpilogues) {
  struct Case {
    Conv2dShape shape;
    WinogradSchedule schedule;
  };
  const Case cases[] = {
      {Shape(3, 7, 7, 5, 1), {2, 8, 4, 8, false}},  {Shape(16, 13, 11, 24, 1), {4, 16, 3, 8, true}},
      {Shape(8, 9, 9, 8, 0), {4, 8, 1, 8, false}},  {Shape(32, 14, 14, 40, 1), {2, 8, 6, 4, true}},
      {Shape(17, 5, 5, 7, 1), {4, 8, 2, 8, false}},
  };
  for (const Case& test : cases) {
    for (const bool epilogue : {false, true}) {
      const double error = WinogradError(test.shape, test.schedule, epilogue);
      EXPECT_LT(error, 1e-4) << WorkloadSpec(test.shape) << " m=" << test.schedule.m
                             << " epilogue=" << epilogue;
    }
  }
}

// F(4x4, 3x3) loses more precision than F(2x2, 3x3), and both stay far inside the 1e-3 the
// measurer accepts on a layer of ResNet-18's size.
TEST(WinogradConv2d, ErrorGrowsWithTheTileAndStaysWithinTolerance) {
  const Conv2dShape shape = Shape(64, 14, 14, 64, 1);
  const double f2 = WinogradError(shape, {2, 16, 4, 8, false}, false);
  const double f4 = WinogradError(shape, {4, 16, 4, 8, false}, false);
  EXPECT_LT(f2, 1e-5);
  EXPECT_LT(f4, 1e-4);
  EXPECT_GT(f4, f2);
}

}  // namespace
}  // namespace tessel
