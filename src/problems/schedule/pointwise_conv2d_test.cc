#include "problems/schedule/pointwise_conv2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "core/rng.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/random_values_test_util.h"
#include "problems/schedule/reference_ops.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

Conv2dShape Shape(int64_t c, int64_t h, int64_t w, int64_t k, int64_t n = 1, int64_t stride = 1) {
  Conv2dShape shape;
  shape.n = n;
  shape.stride = stride;
  shape.c = c;
  shape.k = k;
  shape.h = h;
  shape.w = w;
  shape.r = shape.s = 1;
  return shape;
}

// Builds and runs the pointwise kernel, with the layer's epilogue when asked, and returns its
// largest error relative to the largest reference output.
double PointwiseError(const Conv2dShape& shape, const PointwiseSchedule& schedule, bool epilogue) {
  Rng rng(5);
  const std::vector<float> input = RandomValues(shape.n * shape.c * shape.h * shape.w, rng);
  const std::vector<float> weights = RandomValues(shape.k * shape.c, rng);
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
  const std::unique_ptr<Kernel> kernel = BuildPointwiseConv2d(shape, schedule, layer);
  kernel->Run();
  return RelativeError(kernel->Output(), expected);
}

TEST(PointwiseConv2d, AppliesToUngroupedUnpaddedOneByOneLayersOnly) {
  EXPECT_TRUE(PointwiseApplies(Shape(32, 112, 112, 64)));
  EXPECT_TRUE(PointwiseApplies(Shape(3, 5, 7, 11, 2)));
  EXPECT_TRUE(PointwiseApplies(Shape(64, 56, 56, 128, 1, 2)));
  EXPECT_FALSE(PointwiseApplies(Shape(64, 2, 3, 128, 1, 2)));  // a 1x2 output plane
  Conv2dShape padded = Shape(64, 56, 56, 128);
  padded.pad = 1;
  EXPECT_FALSE(PointwiseApplies(padded));
  Conv2dShape grouped = Shape(64, 56, 56, 128);
  grouped.groups = 2;
  EXPECT_FALSE(PointwiseApplies(grouped));
  EXPECT_FALSE(PointwiseApplies(Shape(64, 1, 3, 128)));  // fewer pixels than a vector
  Conv2dShape three = Shape(64, 56, 56, 128);
  three.r = three.s = 3;
  EXPECT_FALSE(PointwiseApplies(three));
}

// Prime and odd planes that no pixel tile divides (the last tile shifted inwards), channel
// counts that no register tile divides (zero weights, guarded stores), strides, reduction
// blocks, with and without packed panels, a batch, with and without the layer's epilogue.
TEST(PointwiseConv2d, AgreesWithTheReferenceOnOddShapesWithEpilogues) {
  struct Case {
    Conv2dShape shape;
    PointwiseSchedule schedule;
  };
  const Case cases[] = {
      // vec, rows, cols, tiles_p, tiles_k, pack
      {Shape(5, 7, 7, 11), {8, 4, 2, 1, 2, false}},
      {Shape(37, 13, 11, 23), {8, 3, 3, 1, 8, false}},
      {Shape(64, 14, 14, 40), {8, 6, 2, 4, 2, true}},
      {Shape(3, 5, 5, 4, 3), {4, 8, 1, 2, 1, true}},
      {Shape(130, 9, 9, 17), {16, 2, 1, 4, 8, false}},
      {Shape(16, 17, 3, 9, 2), {8, 1, 3, 2, 4, true}},
      {Shape(70, 11, 13, 12), {8, 4, 3, 2, 3, true}},
      // Strided: the panels gather every other pixel of every other row (odd planes whose
      // last row and column are read, even ones whose are not).
      {Shape(16, 13, 9, 8, 1, 2), {8, 4, 1, 2, 2, true}},
      {Shape(33, 28, 28, 20, 2, 2), {8, 6, 2, 1, 4, true}},
      {Shape(8, 14, 11, 12, 1, 3), {4, 3, 2, 1, 4, true}},
      // Blocks of input channels, dividing them or not (zero weights for the last block's
      // missing channels), with and without panels.
      {Shape(130, 9, 9, 17), {8, 4, 1, 2, 2, false, 64}},
      {Shape(256, 7, 7, 24), {8, 6, 2, 1, 2, true, 128}},
      {Shape(200, 10, 10, 8, 2, 2), {4, 2, 4, 1, 2, true, 64}},
      // Vectors along output channels: channel counts that no vector divides, pixels that no
      // register tile divides, with and without panels, blocks and a stride.
      {Shape(64, 7, 7, 40), {8, 6, 2, 2, 2, false, 0, true}},
      {Shape(96, 7, 7, 24), {8, 4, 3, 1, 1, true, 0, true}},
      {Shape(130, 5, 9, 19), {4, 3, 3, 2, 1, true, 64, true}},
      {Shape(48, 14, 14, 32, 1, 2), {8, 5, 2, 3, 2, true, 0, true}},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& test = cases[i];
    ASSERT_TRUE(PointwiseScheduleFits(test.shape, test.schedule)) << WorkloadSpec(test.shape);
    for (const bool epilogue : {false, true}) {
      if (!epilogue && i % 2) continue;
      const PointwiseSchedule& s = test.schedule;
      EXPECT_LT(PointwiseError(test.shape, s, epilogue), 1e-5)
          << WorkloadSpec(test.shape) << " vec=" << s.vec << " rows=" << s.rows
          << " cols=" << s.cols << " tiles_p=" << s.tiles_p << " tiles_k=" << s.tiles_k
          << " pack=" << s.pack << " block_c=" << s.block_c
          << " channel_vectors=" << s.channel_vectors << " epilogue=" << epilogue;
    }
  }
}

TEST(PointwiseConv2d, ScheduleFitsChecksTilesAgainstTheShape) {
  const Conv2dShape shape = Shape(64, 7, 7, 24);
  EXPECT_TRUE(PointwiseScheduleFits(shape, {8, 4, 2, 3, 6, true}));   // 48 pixels, 24 channels
  EXPECT_FALSE(PointwiseScheduleFits(shape, {8, 4, 2, 4, 6, true}));  // 64 pixels > 49
  EXPECT_FALSE(PointwiseScheduleFits(shape, {8, 4, 2, 1, 8, true}));  // 32 channels > 24
  EXPECT_TRUE(PointwiseScheduleFits(shape, {8, 4, 3, 1, 1, true}));   // 12 + 3 inputs + 1
  if (HostVectorRegisters().registers == 16) {
    EXPECT_FALSE(PointwiseScheduleFits(shape, {8, 8, 3, 1, 1, true}));   // 24 accumulators
    EXPECT_FALSE(PointwiseScheduleFits(shape, {8, 3, 4, 1, 1, true}));   // 12 + 4 inputs + 1
    EXPECT_FALSE(PointwiseScheduleFits(shape, {16, 4, 2, 1, 1, true}));  // 16 lanes: 2 each
  } else {
    ASSERT_EQ(HostVectorRegisters().registers, 32);
    ASSERT_EQ(HostVectorRegisters().lanes, 16);
    const Conv2dShape wide = Shape(64, 14, 14, 64);
    EXPECT_TRUE(PointwiseScheduleFits(wide, {16, 6, 4, 1, 1, true}));   // 24 + 4 + 1
    EXPECT_TRUE(PointwiseScheduleFits(wide, {16, 8, 3, 1, 1, true}));   // 24 + 3 + 1
    EXPECT_FALSE(PointwiseScheduleFits(wide, {16, 8, 4, 1, 1, true}));  // 32 accumulators
  }
  const Conv2dShape strided = Shape(64, 14, 14, 24, 1, 2);
  EXPECT_TRUE(PointwiseScheduleFits(strided, {8, 4, 2, 3, 6, true}));
  EXPECT_FALSE(PointwiseScheduleFits(strided, {8, 4, 2, 3, 6, false}));  // a stride needs panels
  EXPECT_TRUE(PointwiseScheduleFits(shape, {8, 4, 2, 3, 6, true, 32}));
  EXPECT_FALSE(PointwiseScheduleFits(shape, {8, 4, 2, 3, 6, true, 64}));  // one block: all of C
  // The default fits every shape the kernel applies to, down to a single pixel and channel.
  for (const Conv2dShape& any :
       {Shape(1, 2, 2, 1), Shape(3, 2, 3, 5), Shape(16, 2, 2, 32), Shape(8, 3, 3, 24),
        Shape(1024, 7, 7, 1024), Shape(32, 112, 112, 64), Shape(256, 14, 14, 512, 1, 2)})
    EXPECT_TRUE(PointwiseScheduleFits(any, DefaultPointwiseSchedule(any))) << WorkloadSpec(any);
}

// Through the conv2d template: every value of every pointwise knob (and of vec) in at least one
// configuration, drawn at random otherwise, builds and is correct.
TEST(PointwiseConv2d, EveryKnobValueBuildsAndIsCorrect) {
  const auto tmpl = MakeOperatorTemplate(
      ParseWorkloadSpec("conv2d:c=300,h=23,w=29,k=260,r=1,s=1,stride=1,pad=0"));
  const Space& space = tmpl->space();
  Rng rng(23);
  const OperatorData data = tmpl->RandomData(rng);
  const std::vector<float> reference = tmpl->Reference(data);
  const size_t pointwise = space.KnobIndex("pointwise");
  for (const char* name : {"vec", "pw_rows", "pw_cols", "pw_tiles_p", "pw_tiles_k", "pw_pack",
                           "pw_block_c", "pw_channel_vectors"}) {
    const size_t knob = space.KnobIndex(name);
    for (size_t value = 0; value < space.knobs()[knob].values.size(); ++value) {
      std::optional<Config> config;
      while (!config) {
        Config sample = *space.SampleValid(rng);
        sample[pointwise] = 1;
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

// Pointwise layers of every zoo model (MobileNet's 9, ResNet-18's 3 strided shortcuts,
// SqueezeNet's squeezes and 1x1 expands) offer the kernel and start from it with a valid
// configuration; other layers have its knobs with one value each and keep their default.
TEST(PointwiseConv2d, TemplateOffersTheKernelOnPointwiseLayersOnly) {
  const std::vector<std::string> knobs = {"pointwise",  "pw_rows",           "pw_cols",
                                          "pw_tiles_p", "pw_tiles_k",        "pw_pack",
                                          "pw_block_c", "pw_channel_vectors"};
  std::map<std::string, int> pointwise_layers;
  for (const ZooModel& zoo_model : Zoo())
    for (const ZooLayer& layer : zoo_model.layers) {
      const std::string& model = zoo_model.name;
      const auto* shape = std::get_if<Conv2dShape>(&layer.workload);
      if (!shape) continue;
      const auto tmpl = MakeOperatorTemplate(layer.workload);
      const Space& space = tmpl->space();
      const Config default_config = tmpl->DefaultConfig();
      EXPECT_TRUE(space.IsValid(default_config)) << layer.name;
      if (!PointwiseApplies(*shape)) {
        for (const std::string& name : knobs)
          EXPECT_EQ(space.knobs()[space.KnobIndex(name)].values.size(), 1u) << layer.name << name;
        EXPECT_EQ(space.IntValue(default_config, "pointwise"), 0) << layer.name;
        continue;
      }
      ++pointwise_layers[model];
      EXPECT_EQ(space.IntValue(default_config, "pointwise"), 1) << layer.name;
    }
  EXPECT_EQ(pointwise_layers["mobilenet_v1"], 9);
  EXPECT_EQ(pointwise_layers["resnet18"], 3);
  EXPECT_GE(pointwise_layers["squeezenet_v1.1"], 8);
  EXPECT_EQ(pointwise_layers["vgg16"], 0);
}

// The description counts every multiply-add once where tiles divide the layer, and its index
// rows cover every loop.
TEST(PointwiseConv2d, LoopDescriptionCountsEveryMultiplyAdd) {
  const Conv2dShape shape = Shape(64, 16, 16, 32, 2);
  for (const bool pack : {false, true}) {
    const LoopNest nest = DescribePointwiseLoops(shape, {8, 4, 2, 2, 4, pack, pack ? 16 : 0});
    double iterations = 1;
    for (const Loop& loop : nest.loops) iterations *= double(loop.extent);
    EXPECT_DOUBLE_EQ(iterations, 2.0 * 16 * 16 * 32 * 64);
    ASSERT_EQ(nest.buffers.size(), 3u);
    for (const BufferAccess& buffer : nest.buffers) {
      ASSERT_EQ(buffer.coefficients.size(), buffer.dims.size());
      for (const auto& row : buffer.coefficients) EXPECT_EQ(row.size(), nest.loops.size());
    }
  }
}

}  // namespace
}  // namespace tessel
