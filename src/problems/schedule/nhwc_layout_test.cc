// Convolutions over channels-last (NHWC) activations: the strides, the reference's reordering,
// which configurations the conv2d template keeps, and every kernel against the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "core/rng.h"
#include "problems/schedule/depthwise_conv2d.h"
#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/pointwise_conv2d.h"
#include "problems/schedule/random_values_test_util.h"
#include "problems/schedule/reference_ops.h"

namespace tessel {
namespace {

TEST(NhwcLayout, ChannelsAreInnermostAndTheRestKeepTheirOrder) {
  EXPECT_EQ(ActivationStrides({5, 4, 3, 2}, TensorLayout::kNchw), (std::vector<int>{1, 5, 20, 60}));
  EXPECT_EQ(ActivationStrides({5, 4, 3, 2}, TensorLayout::kNhwc), (std::vector<int>{3, 15, 1, 60}));
  // A flattened plane: (p, c, n).
  EXPECT_EQ(ActivationStrides({20, 3, 2}, TensorLayout::kNhwc), (std::vector<int>{3, 1, 60}));
}

TEST(NhwcLayout, ReorderingMovesEveryElementAndRoundTrips) {
  const int64_t n = 2, c = 3, h = 4, w = 5;
  std::vector<float> nchw(n * c * h * w);
  for (size_t i = 0; i < nchw.size(); ++i) nchw[i] = static_cast<float>(i);
  const std::vector<float> nhwc =
      ReorderActivation(nchw, n, c, h, w, TensorLayout::kNchw, TensorLayout::kNhwc);
  // Element (n=1, c=2, y=3, x=4) of NCHW lies at ((1 * 4 + 3) * 5 + 4) * 3 + 2 in NHWC.
  EXPECT_EQ(nhwc[((1 * 4 + 3) * 5 + 4) * 3 + 2], nchw[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
  EXPECT_EQ(ReorderActivation(nhwc, n, c, h, w, TensorLayout::kNhwc, TensorLayout::kNchw), nchw);
}

// Gathering vectors are left out: the direct template's vectors along columns and the
// pointwise kernel's along pixels. The knobs keep their values, so that NHWC and NCHW
// configurations have the same features.
TEST(NhwcLayout, TheTemplateKeepsOnlyVectorsAlongChannels) {
  for (const char* spec : {"conv2d:c=64,h=14,w=14,k=64,r=3,s=3,stride=1,pad=1",
                           "conv2d:c=32,h=14,w=14,k=64,r=1,s=1,stride=1,pad=0"}) {
    const auto nchw = MakeOperatorTemplate(ParseWorkloadSpec(spec));
    const auto nhwc = MakeOperatorTemplate(ParseWorkloadSpec(std::string(spec) + ",layout=nhwc"));
    const Space& space = nhwc->space();
    ASSERT_EQ(space.knobs().size(), nchw->space().knobs().size());
    for (size_t knob = 0; knob < space.knobs().size(); ++knob)
      EXPECT_EQ(space.knobs()[knob].values.size(), nchw->space().knobs()[knob].values.size());
    EXPECT_TRUE(space.IsValid(nhwc->DefaultConfig())) << spec;
    Rng rng(3);
    for (int i = 0; i < 300; ++i) {
      const Config config = *space.SampleValid(rng);
      SCOPED_TRACE(space.ToText(config));
      if (space.IntValue(config, "winograd")) continue;  // vectors along channels
      if (space.IntValue(config, "pointwise")) {
        EXPECT_EQ(space.IntValue(config, "pw_channel_vectors"), 1);
      } else if (!space.IntValue(config, "depthwise")) {
        EXPECT_EQ(std::get<std::string>(space.Value(config, space.KnobIndex("layout"))), "nchwc");
      }
    }
  }
}

// F(4x4, 3x3) rounds about ten times more than direct convolution (winograd_conv2d.h).
double Tolerance(const Space& space, const Config& config) {
  return space.IntValue(config, "winograd") == 4 ? 1e-4 : 1e-5;
}

// The layer's epilogue on a reference output stored in `layout`: + bias per channel, + the
// residual, then ReLU.
void ApplyEpilogue(const Conv2dShape& shape, const std::vector<float>& bias,
                   const std::vector<float>& residual, std::vector<float>& out) {
  const size_t plane = shape.out_h() * shape.out_w();
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t channel =
        shape.layout == TensorLayout::kNhwc ? i % shape.k : (i / plane) % shape.k;
    out[i] = std::max(0.f, out[i] + bias[channel] + residual[i]);
  }
}

// Every algorithm over NHWC on odd shapes: the default and random valid configurations
// through the template's measurement path, one of them as a network layer with the epilogue.
TEST(NhwcLayout, EveryKernelAgreesWithTheReference) {
  for (const char* spec : {
           "conv2d:c=17,h=13,w=11,k=17,r=3,s=3,stride=1,pad=1,groups=17,layout=nhwc",
           "conv2d:c=24,h=9,w=9,k=24,r=3,s=3,stride=2,pad=1,groups=24,layout=nhwc",
           "conv2d:c=19,h=9,w=7,k=21,r=1,s=1,stride=1,pad=0,layout=nhwc",
           "conv2d:c=16,h=10,w=10,k=40,r=1,s=1,stride=2,pad=0,layout=nhwc",
           "conv2d:c=3,h=15,w=15,k=20,r=3,s=3,stride=2,pad=1,layout=nhwc",
           "conv2d:n=2,c=8,h=7,w=6,k=12,r=3,s=3,stride=1,pad=1,groups=2,layout=nhwc",
           "conv2d:n=2,c=13,h=11,w=9,k=20,r=3,s=3,stride=1,pad=1,layout=nhwc",
       }) {
    const Workload workload = ParseWorkloadSpec(spec);
    const Conv2dShape& shape = std::get<Conv2dShape>(workload);
    const auto tmpl = MakeOperatorTemplate(workload);
    const Space& space = tmpl->space();
    Rng rng(5);
    const OperatorData data = tmpl->RandomData(rng);
    const std::vector<float> reference = tmpl->Reference(data);
    std::vector<Config> configs = {tmpl->DefaultConfig()};
    for (int i = 0; i < 3; ++i) configs.push_back(tmpl->Canonical(*space.SampleValid(rng)));
    // Both Winograd tile sizes where they apply.
    const size_t winograd = space.KnobIndex("winograd");
    for (size_t value = 1; value < space.knobs()[winograd].values.size(); ++value) {
      Config config = *space.SampleValid(rng);
      config[winograd] = static_cast<int32_t>(value);
      while (!space.IsValid(config)) {
        config = *space.SampleValid(rng);
        config[winograd] = static_cast<int32_t>(value);
      }
      configs.push_back(tmpl->Canonical(config));
    }
    for (const Config& config : configs) {
      SCOPED_TRACE(std::string(spec) + " " + space.ToText(config));
      std::unique_ptr<Kernel> kernel;
      ASSERT_NO_THROW(kernel = tmpl->Build(config, data));
      kernel->Run();
      EXPECT_LT(RelativeError(kernel->Output(), reference), Tolerance(space, config));
    }
    // As a layer writing into the caller's buffer, with bias, residual and ReLU.
    const std::vector<float> bias = RandomValues(shape.k, rng);
    const std::vector<float> residual = RandomValues(reference.size(), rng);
    std::vector<float> expected = reference;
    ApplyEpilogue(shape, bias, residual, expected);
    std::vector<float> output(reference.size(), -1.f);
    LayerBinding layer{data.input.data(), data.weights.data(), bias.data(), residual.data(), true,
                       output.data()};
    const std::unique_ptr<Kernel> kernel = tmpl->BuildLayer(configs.back(), layer);
    kernel->Run();
    EXPECT_LT(RelativeError(output, expected), Tolerance(space, configs.back()))
        << spec << " " << space.ToText(configs.back());
  }
}

// The NHWC depthwise kernel's register tiles: every tile shape the registers hold builds and is
// correct, with tails along columns and channels.
TEST(NhwcLayout, DepthwiseTilesOfColumnsAndChannelVectors) {
  const Conv2dShape shape =
      std::get<Conv2dShape>(ParseWorkloadSpec("conv2d:c=36,h=9,w=10,k=36,r=3,s=3,stride=1,pad=1,"
                                              "groups=36,layout=nhwc"));
  Rng rng(8);
  const std::vector<float> input = RandomValues(shape.c * shape.h * shape.w, rng);
  const std::vector<float> weights = RandomValues(shape.k * 9, rng);
  const std::vector<float> expected = ReferenceConv2d(shape, input, weights);
  int built = 0;
  for (const int vec : {4, 8, 16})
    for (const int columns : {1, 2, 4, 7})
      for (const int vectors : {1, 4}) {
        const DepthwiseSchedule schedule{DepthwisePadding::kExterior, vec, columns, vectors};
        if (!DepthwiseScheduleFits(shape, schedule)) continue;
        SCOPED_TRACE("vec=" + std::to_string(vec) + " columns=" + std::to_string(columns) +
                     " vectors=" + std::to_string(vectors));
        const auto kernel =
            BuildDepthwiseConv2d(shape, schedule, LayerBinding{input.data(), weights.data()});
        kernel->Run();
        EXPECT_LT(RelativeError(kernel->Output(), expected), 1e-5);
        ++built;
      }
  EXPECT_GE(built, 12);
  // Other paddings copy planes of NCHW: not for NHWC.
  EXPECT_FALSE(DepthwiseScheduleFits(shape, {DepthwisePadding::kPlane, 8, 2, 1}));
}

}  // namespace
}  // namespace tessel
