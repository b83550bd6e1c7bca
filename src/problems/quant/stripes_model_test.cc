#include "problems/quant/stripes_model.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

// The quantization problem's LeNet-5: conv 20 5x5 on 28x28x1, pool, conv 50 5x5, pool, fc 500,
// fc 10.
std::vector<QuantLayer> LeNet5() {
  return {ConvLayer("conv1", 1, 28, 20, 5), ConvLayer("conv2", 20, 12, 50, 5),
          DenseLayer("fc1", 800, 500), DenseLayer("fc2", 500, 10)};
}

std::string ConfigErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    return e.what();
  }
  return "";
}

TEST(StripesModelTest, LeNet5AtBits2232Is3Point68TimesFaster) {
  const std::vector<QuantLayer> net = LeNet5();
  int64_t macs = 0;
  for (const QuantLayer& layer : net) macs += layer.macs();
  ASSERT_EQ(macs, 2293000);
  // 8 x 2,293,000 / (2 x 288,000 + 2 x 1,600,000 + 3 x 400,000 + 2 x 5,000)
  const double speedup = StripesSpeedup(net, {2, 2, 3, 2});
  EXPECT_DOUBLE_EQ(speedup, 8.0 * 2293000 / 4986000);
  EXPECT_NEAR(speedup, 3.68, 0.005);
  // ceil(bits x macs / 65,536) a layer: 9, 49, 19 and 1 cycles.
  EXPECT_EQ(StripesCycles(net, {2, 2, 3, 2}), 9 + 49 + 19 + 1);
}

TEST(StripesModelTest, EightBitsEverywhereIsTheBaseline) {
  const std::vector<QuantLayer> net = LeNet5();
  EXPECT_DOUBLE_EQ(StripesSpeedup(net, {8, 8, 8, 8}), 1.0);
  EXPECT_DOUBLE_EQ(StripesSpeedup(net, {2, 2, 2, 2}), 4.0);
  // ceil(8 x macs / 65,536) a layer: 36, 196, 49 and 1 cycles.
  EXPECT_EQ(StripesCycles(net, {8, 8, 8, 8}), 36 + 196 + 49 + 1);
  EXPECT_EQ(StripesCycles(net, {8, 8, 8, 8}, 1), 8 * 2293000);
}

TEST(StripesModelTest, CyclesGrowWithEveryBit) {
  for (const QuantLayer& layer : LeNet5()) {
    for (int bits = 1; bits < 16; ++bits) {
      EXPECT_LT(StripesLayerCycles(layer, bits, 1), StripesLayerCycles(layer, bits + 1, 1));
      EXPECT_LE(StripesLayerCycles(layer, bits), StripesLayerCycles(layer, bits + 1));
    }
  }
  std::vector<int> bits = {8, 8, 8, 8};
  double speedup = StripesSpeedup(LeNet5(), bits);
  for (size_t layer = 0; layer < bits.size(); ++layer) {
    while (bits[layer] > 2) {
      --bits[layer];
      const double faster = StripesSpeedup(LeNet5(), bits);
      EXPECT_GT(faster, speedup);
      speedup = faster;
    }
  }
}

TEST(StripesModelTest, RejectsBadInput) {
  const std::vector<QuantLayer> net = LeNet5();
  EXPECT_EQ(ConfigErrorOf([&] {
              StripesSpeedup(net, {2, 2, 0, 2});
            }),
            "Stripes: weight bits 0 outside 1..16");
  EXPECT_EQ(ConfigErrorOf([&] {
              StripesCycles(net, {2, 2, 17, 2});
            }),
            "Stripes: weight bits 17 outside 1..16");
  EXPECT_EQ(ConfigErrorOf([&] { StripesSpeedup({}, {}); }),
            "Stripes: a network needs at least one layer");
  EXPECT_EQ(ConfigErrorOf([&] {
              StripesCycles(net, {2, 2, 2});
            }),
            "Stripes: 3 weight bitwidths for 4 layers");
  EXPECT_EQ(ConfigErrorOf([&] { StripesLayerCycles(net[0], 4, 0); }),
            "Stripes: lanes must be positive");
}

}  // namespace
}  // namespace tessel
