// Tests of the mesh simulator's traffic patterns.
#include "problems/noc/traffic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"

namespace tessel::noc {
namespace {

std::string ConfigErrorOf(const Mesh& mesh, TrafficPattern pattern, double fraction = 0.2,
                          std::vector<int> hotspots = {}) {
  try {
    TrafficGenerator(mesh, pattern, fraction, std::move(hotspots));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    return e.what();
  }
  return "";
}

TEST(NocTrafficTest, DeterministicPatternsMapCoordinatesAsDefined) {
  const Mesh mesh{8};
  Rng rng(0);
  const TrafficGenerator transpose(mesh, TrafficPattern::kTranspose);
  const TrafficGenerator complement(mesh, TrafficPattern::kBitComplement);
  const TrafficGenerator tornado(mesh, TrafficPattern::kTornado);
  const TrafficGenerator shuffle(mesh, TrafficPattern::kShuffle);
  EXPECT_EQ(transpose.Destination(mesh.Node(2, 5), rng), mesh.Node(5, 2));
  EXPECT_EQ(transpose.Destination(mesh.Node(3, 3), rng), mesh.Node(3, 3));  // sends nothing
  EXPECT_EQ(complement.Destination(mesh.Node(1, 6), rng), mesh.Node(6, 1));
  // ceil(8/2) - 1 = 3 along both dimensions, as BookSim shifts.
  EXPECT_EQ(tornado.Destination(mesh.Node(6, 1), rng), mesh.Node(1, 4));
  // 6 bits: 0b100101 (37) rotates left to 0b001011 (11).
  EXPECT_EQ(shuffle.Destination(37, rng), 11);
  EXPECT_EQ(shuffle.Destination(0, rng), 0);
  EXPECT_EQ(shuffle.Destination(63, rng), 63);
  const TrafficGenerator tornado5(Mesh{5}, TrafficPattern::kTornado);  // shift ceil(5/2) - 1 = 2
  EXPECT_EQ(tornado5.Destination(Mesh{5}.Node(4, 0), rng), Mesh{5}.Node(1, 2));
}

TEST(NocTrafficTest, DeterministicPatternsArePermutations) {
  Rng rng(0);
  for (TrafficPattern pattern : {TrafficPattern::kTranspose, TrafficPattern::kBitComplement,
                                 TrafficPattern::kShuffle, TrafficPattern::kTornado}) {
    const Mesh mesh{8};
    const TrafficGenerator traffic(mesh, pattern);
    std::vector<int> hits(mesh.nodes(), 0);
    for (int node = 0; node < mesh.nodes(); ++node) ++hits[traffic.Destination(node, rng)];
    EXPECT_EQ(hits, std::vector<int>(mesh.nodes(), 1)) << static_cast<int>(pattern);
  }
}

TEST(NocTrafficTest, UniformNeverPicksTheSourceAndCoversTheOthersEvenly) {
  const Mesh mesh{4};
  const TrafficGenerator uniform(mesh, TrafficPattern::kUniform);
  Rng rng(11);
  std::vector<int> hits(mesh.nodes(), 0);
  const int draws = 15000;
  for (int i = 0; i < draws; ++i) ++hits[uniform.Destination(5, rng)];
  EXPECT_EQ(hits[5], 0);
  for (int node = 0; node < mesh.nodes(); ++node)
    if (node != 5) {
      EXPECT_NEAR(hits[node], draws / 15, 150) << node;  // 5 standard deviations
    }
}

TEST(NocTrafficTest, HotspotSendsItsFractionToTheCentreNodes) {
  const Mesh mesh{8};
  const std::vector<int> centre = {mesh.Node(3, 3), mesh.Node(4, 3), mesh.Node(3, 4),
                                   mesh.Node(4, 4)};
  EXPECT_EQ(DefaultHotspots(mesh), centre);
  EXPECT_EQ(DefaultHotspots(Mesh{5}), std::vector<int>{Mesh{5}.Node(2, 2)});
  const TrafficGenerator hotspot(mesh, TrafficPattern::kHotspot, 0.2);
  Rng rng(5);
  const int draws = 40000;
  int to_centre = 0;
  for (int i = 0; i < draws; ++i) {
    const int destination = hotspot.Destination(0, rng);
    ASSERT_NE(destination, 0);
    to_centre += std::count(centre.begin(), centre.end(), destination) > 0;
  }
  // 0.2 directly, plus the uniform 0.8's share of the centre: 4 of 63 other nodes.
  EXPECT_NEAR(static_cast<double>(to_centre) / draws, 0.2 + 0.8 * 4 / 63, 0.01);
  // A hotspot sends its hotspot share to the other hotspots.
  for (int i = 0; i < 200; ++i) ASSERT_NE(hotspot.Destination(centre[0], rng), centre[0]);
}

TEST(NocTrafficTest, PatternsThatCannotRunOnTheMeshAreConfigErrors) {
  EXPECT_NE(ConfigErrorOf(Mesh{6}, TrafficPattern::kShuffle).find("power-of-two node count"),
            std::string::npos);
  EXPECT_NE(ConfigErrorOf(Mesh{2}, TrafficPattern::kTornado).find("sends nothing"),
            std::string::npos);
  EXPECT_NE(ConfigErrorOf(Mesh{4}, TrafficPattern::kHotspot, 1.5).find("hotspot fraction"),
            std::string::npos);
  EXPECT_NE(ConfigErrorOf(Mesh{4}, TrafficPattern::kHotspot, 0.2, {3, 16}).find("outside"),
            std::string::npos);
  EXPECT_NE(ConfigErrorOf(Mesh{4}, TrafficPattern::kHotspot, 0.2, {3, 3}).find("twice"),
            std::string::npos);
  EXPECT_EQ(ConfigErrorOf(Mesh{4}, TrafficPattern::kShuffle), "");
  try {
    TrafficPatternFromName("random");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown NoC traffic pattern 'random'"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bit-complement"), std::string::npos);
  }
  for (size_t i = 0; i < TrafficNames().size(); ++i)
    EXPECT_EQ(TrafficPatternFromName(TrafficNames()[i]), static_cast<TrafficPattern>(i));
}

}  // namespace
}  // namespace tessel::noc
