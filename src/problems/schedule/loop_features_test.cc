#include "problems/schedule/loop_features.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "problems/schedule/workload.h"

namespace tessel {
namespace {

// Feature slots as LoopFeatures lays them out (kept in step with loop_features.cc).
constexpr int kGlobal = 4, kPerLoop = 1 + 4 + 2 + 3 * kMaxBuffers;
float LoopSlot(const std::vector<float>& f, int slot_from_innermost, int field) {
  return f[kGlobal + kPerLoop * (kMaxLoops - 1 - slot_from_innermost) + field];
}

// A 64x32 matrix copy: rows outer (parallel), columns inner (vectorised), row-major buffer.
LoopNest MatrixNest() {
  LoopNest nest;
  nest.Add("i", 64, LoopKind::kParallel);
  nest.Add("j", 32, LoopKind::kVectorized);
  nest.buffers.push_back({"m", 4, {32, 64}, {{0, 1}, {1, 0}}});
  return nest;
}

TEST(LoopFeaturesTest, ExtentsAnnotationsFootprintsAndReuse) {
  const std::vector<float> f = LoopFeatures(MatrixNest());
  ASSERT_EQ(f.size(), size_t(kGlobal + kPerLoop * kMaxLoops));
  EXPECT_FLOAT_EQ(f[0], 11);  // 2048 iterations
  EXPECT_FLOAT_EQ(f[1], 6);   // 64 parallel
  EXPECT_FLOAT_EQ(f[2], 5);   // innermost straight-line body: the 32-wide vector
  // Innermost loop j: extent 32, vectorised, 2048 iterations above it, 32 below, stride 1
  // element, touches one row (128 bytes) once per iteration.
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 0), 5);
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 1 + int(LoopKind::kVectorized)), 1);
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 5), 11);
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 6), 5);
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 7), 1);  // log2(1 + 1)
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 8), 7);  // 128 bytes
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 9), 0);  // no reuse
  // Outer loop i: stride 32 elements, the whole 8 KiB matrix below it.
  EXPECT_FLOAT_EQ(LoopSlot(f, 1, 1 + int(LoopKind::kParallel)), 1);
  EXPECT_FLOAT_EQ(LoopSlot(f, 1, 7), std::log2(33.f));
  EXPECT_FLOAT_EQ(LoopSlot(f, 1, 8), 13);
  // Unused outer slots stay zero.
  EXPECT_FLOAT_EQ(LoopSlot(f, 2, 0), 0);
}

TEST(LoopFeaturesTest, ReuseWhenALoopDoesNotIndexTheBuffer) {
  LoopNest nest = MatrixNest();
  nest.Add("k", 8, LoopKind::kSerial);  // innermost, does not move through m
  for (auto& row : nest.buffers[0].coefficients) row.push_back(0);
  const std::vector<float> f = LoopFeatures(nest);
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 7), 0);  // stride 0
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 8), 2);  // one element: 4 bytes
  EXPECT_FLOAT_EQ(LoopSlot(f, 0, 9), 3);  // read 8 times
}

// The conv2d template's description covers exactly the convolution's multiply-adds, and each
// buffer's footprint below the outermost loop is at most the buffer.
TEST(LoopFeaturesTest, ConvDescriptionCountsEveryMultiplyAdd) {
  const Workload workload = ParseWorkloadSpec("conv2d:c=16,h=14,w=14,k=32,r=3,s=3,stride=2,pad=1");
  const auto op = MakeOperatorTemplate(workload);
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const Config config = *op->space().SampleValid(rng);
    const LoopNest nest = op->DescribeLoops(config);
    double iterations = 1;
    for (const Loop& loop : nest.loops) iterations *= double(loop.extent);
    EXPECT_DOUBLE_EQ(iterations, 32.0 * 7 * 7 * 16 * 3 * 3) << op->space().ToText(config);
    ASSERT_EQ(nest.buffers.size(), 3u);
    for (const BufferAccess& buffer : nest.buffers) {
      ASSERT_EQ(buffer.coefficients.size(), buffer.dims.size());
      for (const auto& row : buffer.coefficients) EXPECT_EQ(row.size(), nest.loops.size());
    }
    const std::vector<float> features = LoopFeatures(nest);
    EXPECT_EQ(features.size(), size_t(kGlobal + kPerLoop * kMaxLoops));
    for (float value : features) EXPECT_TRUE(std::isfinite(value));
  }
}

TEST(LoopFeaturesTest, DenseDescriptionCountsEveryMultiplyAdd) {
  const auto op = MakeOperatorTemplate(ParseWorkloadSpec("dense:in=96,out=64"));
  Rng rng(6);
  for (int i = 0; i < 20; ++i) {
    const LoopNest nest = op->DescribeLoops(*op->space().SampleValid(rng));
    double iterations = 1;
    for (const Loop& loop : nest.loops) iterations *= double(loop.extent);
    EXPECT_DOUBLE_EQ(iterations, 96.0 * 64);
  }
}

TEST(FeatureKindTest, NamesRoundTripAndUnknownNamesAreErrors) {
  for (FeatureKind kind : {FeatureKind::kKnob, FeatureKind::kLoop, FeatureKind::kBoth})
    EXPECT_EQ(FeatureKindFromName(FeatureKindName(kind)), kind);
  EXPECT_THROW(FeatureKindFromName("curve"), Error);
}

}  // namespace
}  // namespace tessel
