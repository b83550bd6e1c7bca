#include "network/graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/error.h"
#include "network/reference_executor.h"

namespace tessel {
namespace {

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(GraphBuilderTest, InfersShapes) {
  GraphBuilder b("net", {1, 3, 32, 32});
  const int conv = b.Conv2d("conv", 0, 8, 3, 2, 1, 1, std::vector<float>(8 * 3 * 9), {});
  EXPECT_EQ(b.shape(conv), (Shape{1, 8, 16, 16}));
  PoolAttrs pool;
  pool.kernel = 3;
  pool.stride = 2;
  pool.ceil_mode = true;
  const int pooled = b.MaxPool("pool", conv, pool);
  EXPECT_EQ(b.shape(pooled), (Shape{1, 8, 8, 8}));  // ceil(13 / 2) + 1
  const int cat = b.Concat("cat", {pooled, pooled});
  EXPECT_EQ(b.shape(cat), (Shape{1, 16, 8, 8}));
  const int flat = b.Flatten("flat", b.GlobalAvgPool("gap", cat));
  EXPECT_EQ(b.shape(flat), (Shape{1, 16}));
  const int fc = b.Dense("fc", flat, 10, std::vector<float>(160), std::vector<float>(10));
  const Graph graph = std::move(b).Finish(b.Softmax("softmax", fc));
  EXPECT_EQ(graph.nodes.size(), 8u);
  EXPECT_EQ(graph.nodes[graph.output].shape, (Shape{1, 10}));
}

TEST(GraphBuilderTest, CeilModeDropsAWindowStartingInThePadding) {
  PoolAttrs pool;
  pool.kernel = 2;
  pool.stride = 2;
  pool.pad = 1;
  pool.ceil_mode = true;
  // PyTorch: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start at 6 >= 5 + 1.
  EXPECT_EQ(pool.OutputSize(5), 3);
  pool.ceil_mode = false;
  EXPECT_EQ(pool.OutputSize(5), 3);
  EXPECT_EQ(pool.OutputSize(6), 4);
}

TEST(GraphBuilderTest, ShapeMismatchesNameTheNode) {
  GraphBuilder b("net", {1, 4, 8, 8});
  EXPECT_NE(ErrorOf([&] {
              b.Conv2d("c1", 0, 8, 3, 1, 1, 1, std::vector<float>(5), {});
            }).find("node 'c1': the weight tensor has 5 values, 288 expected"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              b.Conv2d("c2", 0, 6, 1, 1, 0, 4, std::vector<float>(6), {});
            }).find("node 'c2'"),
            std::string::npos);
  const int small = b.Conv2d("c3", 0, 4, 3, 2, 1, 1, std::vector<float>(4 * 4 * 9), {});
  EXPECT_NE(ErrorOf([&] { b.Add("sum", 0, small); }).find("add of 1x4x8x8 and 1x4x4x4"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { b.Dense("fc", 0, 10, {}, {}); }).find("dense needs a 2-d input"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { b.Concat("cat", {0, small}); }).find("node 'cat'"), std::string::npos);
  PoolAttrs huge;
  huge.kernel = 11;
  EXPECT_NE(ErrorOf([&] { b.MaxPool("pool", 0, huge); }).find("larger than its padded input"),
            std::string::npos);
}

TEST(ReferenceExecutorTest, PoolsConcatenatesAndNormalises) {
  // One 1x1x3x3 plane 1..9.
  GraphBuilder b("net", {1, 1, 3, 3});
  PoolAttrs pool;
  pool.kernel = 2;
  pool.stride = 2;
  pool.ceil_mode = true;
  const int max = b.MaxPool("max", 0, pool);    // windows {1,2,4,5} {3,6} {7,8} {9}
  const int avg = b.AvgPool("avg", 0, pool);    // their means
  const int cat = b.Concat("cat", {max, avg});  // 1x2x2x2
  const int gap = b.GlobalAvgPool("gap", cat);  // means of the two planes
  const Graph graph = std::move(b).Finish(b.Softmax("softmax", b.Flatten("flat", gap)));
  const std::vector<float> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> out = RunReference(graph, input);
  const double max_mean = (5 + 6 + 8 + 9) / 4.0, avg_mean = (3 + 4.5 + 7.5 + 9) / 4.0;
  const double e0 = std::exp(max_mean), e1 = std::exp(avg_mean);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NEAR(out[0], e0 / (e0 + e1), 1e-6);
  EXPECT_NEAR(out[1], e1 / (e0 + e1), 1e-6);
  EXPECT_NE(ErrorOf([&] { RunReference(graph, {1, 2}); }).find("takes 1x1x3x3"), std::string::npos);
}

TEST(ReferenceExecutorTest, ConvolvesWithBiasAndPadding) {
  // A 3x3 kernel of ones with padding 1 sums each pixel's neighbourhood.
  GraphBuilder b("net", {1, 1, 2, 2});
  const int conv = b.Conv2d("conv", 0, 2, 3, 1, 1, 1, std::vector<float>(18, 1.f), {0.5f, -100});
  const Graph graph = std::move(b).Finish(b.Relu("relu", conv));
  const std::vector<float> out = RunReference(graph, {1, 2, 3, 4});
  EXPECT_EQ(out, (std::vector<float>{10.5f, 10.5f, 10.5f, 10.5f, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace tessel
