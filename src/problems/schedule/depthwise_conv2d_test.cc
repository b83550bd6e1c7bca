#include "problems/schedule/depthwise_conv2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "core/rng.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/random_values_test_util.h"
#include "problems/schedule/reference_ops.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

Conv2dShape Shape(int64_t c, int64_t h, int64_t w, int64_t kernel, int64_t stride, int64_t pad,
                  int64_t n = 1) {
  Conv2dShape shape;
  shape.n = n;
  shape.c = shape.k = shape.groups = c;
  shape.h = h;
  shape.w = w;
  shape.r = shape.s = kernel;
  shape.stride = stride;
  shape.pad = pad;
  return shape;
}

// Builds and runs the depthwise kernel, with the layer's epilogue when asked, and returns its
// largest error relative to the largest reference output.
double DepthwiseError(const Conv2dShape& shape, const DepthwiseSchedule& schedule, bool epilogue) {
  Rng rng(9);
  const std::vector<float> input = RandomValues(shape.n * shape.c * shape.h * shape.w, rng);
  const std::vector<float> weights = RandomValues(shape.k * shape.r * shape.s, rng);
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
  const std::unique_ptr<Kernel> kernel = BuildDepthwiseConv2d(shape, schedule, layer);
  kernel->Run();
  return RelativeError(kernel->Output(), expected);
}

TEST(DepthwiseConv2d, AppliesToDepthwiseLayersOnly) {
  EXPECT_TRUE(DepthwiseApplies(Shape(32, 112, 112, 3, 1, 1)));
  EXPECT_TRUE(DepthwiseApplies(Shape(3, 9, 11, 5, 2, 2, 4)));
  Conv2dShape dense = Shape(32, 56, 56, 3, 1, 1);
  dense.groups = 1;
  EXPECT_FALSE(DepthwiseApplies(dense));
  Conv2dShape grouped = Shape(32, 56, 56, 3, 1, 1);
  grouped.groups = 8;  // four channels per group
  EXPECT_FALSE(DepthwiseApplies(grouped));
  Conv2dShape multiplier = Shape(32, 56, 56, 3, 1, 1);
  multiplier.k = 64;  // two output channels per input channel
  EXPECT_FALSE(DepthwiseApplies(multiplier));
  Conv2dShape single = Shape(1, 8, 8, 3, 1, 1);
  EXPECT_FALSE(DepthwiseApplies(single));  // groups=1: an ordinary convolution
}

// Prime and odd planes that no vector or register tile divides (tails shifted inwards or
// masked), rows narrower than a vector, kernels 3 and 5, padding 0 to 2, stride 2 with input
// columns no window reads, a batch, channel counts that tasks do not divide, and all three ways
// of padding, with and without the layer's epilogue.
TEST(DepthwiseConv2d, AgreesWithTheReferenceOnOddShapesWithEpilogues) {
  using P = DepthwisePadding;
  struct Case {
    Conv2dShape shape;
    DepthwiseSchedule schedule;
  };
  const Case cases[] = {
      {Shape(5, 13, 13, 3, 1, 1), {P::kPlane, 8, 4, 4}},
      {Shape(8, 7, 7, 3, 2, 1), {P::kExterior, 4, 2, 1}},
      {Shape(3, 23, 11, 5, 1, 2), {P::kRows, 8, 7, 1}},
      {Shape(6, 16, 16, 3, 2, 0, 2), {P::kExterior, 8, 7, 4}},
      {Shape(17, 5, 5, 5, 2, 2), {P::kExterior, 4, 2, 16}},
      {Shape(4, 40, 37, 3, 1, 1), {P::kRows, 16, 4, 1}},
      {Shape(16, 7, 7, 3, 1, 1), {P::kPlane, 4, 7, 16}},
      {Shape(3, 12, 9, 3, 1, 0, 2), {P::kPlane, 8, 2, 1}},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& test = cases[i];
    ASSERT_TRUE(DepthwiseScheduleFits(test.shape, test.schedule)) << WorkloadSpec(test.shape);
    // Every case with the epilogue, a few without (each build costs a compile).
    for (const bool epilogue : {false, true}) {
      if (!epilogue && i % 2) continue;
      const double error = DepthwiseError(test.shape, test.schedule, epilogue);
      EXPECT_LT(error, 1e-5) << WorkloadSpec(test.shape) << " padding="
                             << DepthwisePaddingNames()[static_cast<int>(test.schedule.padding)]
                             << " vec=" << test.schedule.vec << " rows=" << test.schedule.rows
                             << " channels=" << test.schedule.channels << " epilogue=" << epilogue;
    }
  }
}

// Through the conv2d template: every value of every depthwise knob (and of vec) in at least one
// configuration, drawn at random otherwise, builds and is correct on a layer that admits them
// all (16-lane vectors, 7-row tiles, blocks of rows shorter than the output, 16-channel tasks
// with a tail).
TEST(DepthwiseConv2d, EveryKnobValueBuildsAndIsCorrect) {
  const auto tmpl =
      MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=17,h=18,w=13,k=17,r=3,s=3,stride=1,pad=1,"
                                             "groups=17"));
  const Space& space = tmpl->space();
  Rng rng(21);
  const OperatorData data = tmpl->RandomData(rng);
  const std::vector<float> reference = tmpl->Reference(data);
  const size_t depthwise = space.KnobIndex("depthwise");
  for (const char* name : {"vec", "dw_padding", "dw_rows", "dw_channels"}) {
    const size_t knob = space.KnobIndex(name);
    for (size_t value = 0; value < space.knobs()[knob].values.size(); ++value) {
      std::optional<Config> config;
      while (!config) {
        Config sample = *space.SampleValid(rng);
        sample[depthwise] = 1;
        sample[knob] = static_cast<int32_t>(value);
        if (space.IsValid(sample)) config = tmpl->Canonical(sample);
      }
      SCOPED_TRACE(space.ToText(*config));
      std::unique_ptr<Kernel> kernel;
      ASSERT_NO_THROW(kernel = tmpl->Build(*config, data));
      kernel->Run();
      EXPECT_LT(RelativeError(kernel->Output(), reference), 1e-5);
    }
  }
}

// Depthwise layers offer the kernel and start from it, with a few hundred configurations of it
// at most; other layers have its knobs with one value each and keep their default.
TEST(DepthwiseConv2d, TemplateOffersTheKernelOnDepthwiseLayersOnly) {
  const std::vector<std::string> knobs = {"depthwise", "dw_padding", "dw_rows", "dw_channels"};
  for (const ZooLayer& layer : FindModel("mobilenet_v1").layers) {
    const auto* shape = std::get_if<Conv2dShape>(&layer.workload);
    if (!shape) continue;
    const auto tmpl = MakeOperatorTemplate(layer.workload);
    const Space& space = tmpl->space();
    const Config default_config = tmpl->DefaultConfig();
    EXPECT_TRUE(space.IsValid(default_config)) << layer.name;
    if (!DepthwiseApplies(*shape)) {
      for (const std::string& name : knobs)
        EXPECT_EQ(space.knobs()[space.KnobIndex(name)].values.size(), 1u) << layer.name << name;
      EXPECT_EQ(space.IntValue(default_config, "depthwise"), 0) << layer.name;
      continue;
    }
    EXPECT_EQ(space.IntValue(default_config, "depthwise"), 1) << layer.name;
    // The distinct depthwise configurations: its knobs and vec, everything else canonical.
    std::set<Config> distinct;
    Config config = default_config;
    const size_t vec = space.KnobIndex("vec"), padding = space.KnobIndex("dw_padding");
    const size_t rows = space.KnobIndex("dw_rows"), channels = space.KnobIndex("dw_channels");
    for (size_t a = 0; a < space.knobs()[vec].values.size(); ++a)
      for (size_t b = 0; b < space.knobs()[padding].values.size(); ++b)
        for (size_t c = 0; c < space.knobs()[rows].values.size(); ++c)
          for (size_t d = 0; d < space.knobs()[channels].values.size(); ++d) {
            config[vec] = static_cast<int32_t>(a);
            config[padding] = static_cast<int32_t>(b);
            config[rows] = static_cast<int32_t>(c);
            config[channels] = static_cast<int32_t>(d);
            if (space.IsValid(config)) distinct.insert(tmpl->Canonical(config));
          }
    EXPECT_GE(distinct.size(), 20u) << layer.name;
    EXPECT_LE(distinct.size(), 500u) << layer.name;
  }
}

// The description counts every multiply-add once where tiles divide the layer, and its index
// rows cover every loop.
TEST(DepthwiseConv2d, LoopDescriptionCountsEveryMultiplyAdd) {
  const Conv2dShape shape = Shape(16, 16, 16, 3, 1, 1, 2);
  for (const DepthwisePadding padding :
       {DepthwisePadding::kExterior, DepthwisePadding::kRows, DepthwisePadding::kPlane})
    for (const int rows : {1, 2, 4}) {
      const LoopNest nest = DescribeDepthwiseLoops(shape, {padding, 8, rows, 4});
      double iterations = 1;
      for (const Loop& loop : nest.loops) iterations *= double(loop.extent);
      EXPECT_DOUBLE_EQ(iterations, 2.0 * 16 * 16 * 16 * 9);
      ASSERT_EQ(nest.buffers.size(), 3u);
      for (const BufferAccess& buffer : nest.buffers) {
        ASSERT_EQ(buffer.coefficients.size(), buffer.dims.size());
        for (const auto& row : buffer.coefficients) EXPECT_EQ(row.size(), nest.loops.size());
      }
    }
}

}  // namespace
}  // namespace tessel
