#include "problems/quant/quant_nets.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/error.h"

namespace tessel {
namespace {

TEST(QuantNets, Lenet5HasCaffesShapesAndMacs) {
  const QuantNetDefinition& net = FindQuantNet("lenet5");
  ASSERT_EQ(net.layers.size(), 4u);
  EXPECT_EQ(net.macs(), 2293000);
  const QuantLayer& conv1 = net.layers[0];
  EXPECT_EQ(conv1.in_channels, 1);
  EXPECT_EQ(conv1.out_height(), 24);
  EXPECT_EQ(conv1.macs(), 288000);
  const QuantLayer& conv2 = net.layers[1];
  EXPECT_EQ(conv2.in_channels, 20);
  EXPECT_EQ(conv2.in_height, 12);  // after the first pool
  EXPECT_EQ(conv2.out_channels, 50);
  EXPECT_EQ(conv2.macs(), 1600000);
  const QuantLayer& fc1 = net.layers[2];
  EXPECT_EQ(fc1.kind, QuantLayerKind::kDense);
  EXPECT_EQ(fc1.in_channels, 800);  // 50 x 4 x 4
  EXPECT_EQ(fc1.macs(), 400000);
  EXPECT_EQ(net.layers[3].macs(), 5000);
  EXPECT_EQ(net.pool_after, (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(net.weights(), 500 + 25000 + 400000 + 5000);
  EXPECT_EQ(net.classes(), 10);
}

TEST(QuantNets, Convnet6IsDeeper) {
  const QuantNetDefinition& net = FindQuantNet("convnet6");
  ASSERT_EQ(net.layers.size(), 6u);
  EXPECT_EQ(net.macs(), 4830720);
  EXPECT_EQ(net.layers[1].in_height, 28);  // padded 3x3 convolutions keep the size
  EXPECT_EQ(net.layers[2].in_height, 14);
  EXPECT_EQ(net.layers[4].in_channels, 32 * 7 * 7);
  EXPECT_EQ(net.layers[4].out_channels, 128);
  EXPECT_EQ(net.classes(), 10);
}

TEST(QuantNets, EveryNetIsConsistent) {
  std::set<std::string> names, texts;
  for (const QuantNetDefinition& net : QuantNets()) {
    names.insert(net.name);
    texts.insert(net.canonical_text());
    ASSERT_EQ(net.pool_after.size(), net.layers.size()) << net.name;
    EXPECT_EQ(net.layers.front().in_channels, net.input_channels) << net.name;
    for (size_t i = 0; i + 1 < net.layers.size(); ++i) {
      const QuantLayer& next = net.layers[i + 1];
      const int pool = net.pool_after[i] ? 2 : 1;
      const int64_t produced = int64_t{net.layers[i].out_channels} *
                               (net.layers[i].out_height() / pool) *
                               (net.layers[i].out_width() / pool);
      EXPECT_EQ(produced, int64_t{next.in_channels} * next.in_height * next.in_width)
          << net.name << " " << next.name;
    }
    EXPECT_EQ(net.canonical_text().find(net.layers.back().name + " dense") != std::string::npos,
              true);
  }
  EXPECT_EQ(names.size(), QuantNets().size());
  EXPECT_EQ(texts.size(), QuantNets().size());
}

TEST(QuantNets, UnknownNameListsTheKnownOnes) {
  try {
    FindQuantNet("alexnet");
    FAIL() << "unknown net accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("known: lenet5, convnet6"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace tessel
