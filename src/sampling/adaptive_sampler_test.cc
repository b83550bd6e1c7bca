#include "sampling/adaptive_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace tessel {
namespace {

// Two knobs of 41 values each; the corner (40, 40) is invalid.
Space GridSpace() {
  std::vector<KnobValue> values;
  for (int64_t v = 0; v <= 40; ++v) values.push_back(v);
  return Space({{"x", values}, {"y", values}},
               [](const Space&, const Config& c) { return !(c[0] == 40 && c[1] == 40); });
}

// A trajectory that dwells around `centres`: each centre and its 4 neighbours, 5 times.
std::vector<Config> Dwelling(const std::vector<Config>& centres) {
  std::vector<Config> trajectory;
  for (const Config& centre : centres)
    for (int repeat = 0; repeat < 5; ++repeat)
      for (const Config& step :
           {Config{0, 0}, Config{1, 0}, Config{-1, 0}, Config{0, 1}, Config{0, -1}})
        trajectory.push_back({centre[0] + step[0], centre[1] + step[1]});
  return trajectory;
}

std::vector<Config> GridCentres(int per_side) {
  std::vector<Config> centres;
  for (int i = 0; i < per_side; ++i)
    for (int j = 0; j < per_side; ++j) centres.push_back({4 + 10 * i, 4 + 10 * j});
  return centres;
}

TEST(AdaptiveSamplerTest, TheElbowFindsTheClustersAndSamplesEveryOne) {
  const Space space = GridSpace();
  // The first n centres of an 8 x 8 grid 5 apart: n tight, separated clusters.
  for (int clusters : {16, 24, 32}) {
    std::vector<Config> centres;
    for (int i = 0; i < clusters; ++i) centres.push_back({2 + 5 * (i / 8), 2 + 5 * (i % 8)});
    AdaptiveSampler sampler(space, {}, Rng(3));  // k from 8 to 64 in steps of 8
    const std::vector<Config> batch = sampler.Select(Dwelling(centres), {});
    EXPECT_EQ(sampler.last_k(), clusters);
    EXPECT_EQ(sampler.last_losses().size(), 8u);
    EXPECT_EQ(batch.size(), static_cast<size_t>(clusters));
  }
}

TEST(AdaptiveSamplerTest, StopsAtTheKneeAndSamplesEveryCluster) {
  const Space space = GridSpace();
  const std::vector<Config> centres = GridCentres(4);  // 16 clusters
  AdaptiveSampler::Options options;
  options.knee = AdaptiveSampler::Knee::kLossDrop;
  AdaptiveSampler sampler(space, options, Rng(3));
  const std::vector<Config> batch = sampler.Select(Dwelling(centres), {});
  EXPECT_EQ(sampler.last_k(), 16);
  ASSERT_EQ(sampler.last_losses().size(), 3u);  // k = 8, 16, then 24 fails the drop test
  ASSERT_EQ(batch.size(), 16u);
  for (const Config& centre : centres) {  // one sample at (or next to) every centre
    int near = 0;
    for (const Config& pick : batch)
      near += std::abs(pick[0] - centre[0]) + std::abs(pick[1] - centre[1]) <= 1;
    EXPECT_EQ(near, 1) << centre[0] << "," << centre[1];
  }
}

TEST(AdaptiveSamplerTest, NeverReturnsAVisitedConfiguration) {
  const Space space = GridSpace();
  const std::vector<Config> centres = GridCentres(4);
  const std::vector<Config> trajectory = Dwelling(centres);
  // Every configuration of the trajectory is measured.
  const ConfigSet visited(trajectory.begin(), trajectory.end());
  AdaptiveSampler sampler(space, {}, Rng(5));
  const std::vector<Config> batch = sampler.Select(trajectory, visited);
  EXPECT_EQ(batch.size(), 16u);
  ConfigSet seen;
  for (const Config& pick : batch) {
    EXPECT_TRUE(space.IsValid(pick));
    EXPECT_FALSE(visited.count(pick));
    EXPECT_TRUE(seen.insert(pick).second) << "returned twice";
  }
  // The first replacement is the trajectory's per-knob mode, when it is unvisited.
  const Config mode = ModeConfig(space, trajectory);
  EXPECT_EQ(mode, (Config{4, 4}));
}

TEST(AdaptiveSamplerTest, ReplacementsOfAVisitedCentroidGoModeMemberNeighbour) {
  const Space space = GridSpace();
  // With one cluster the centroid is the mean, (18, 18); the per-knob mode is (10, 10).
  const std::vector<Config> trajectory = {{10, 10}, {10, 10}, {10, 10}, {30, 30}, {30, 30}};
  AdaptiveSampler::Options options;
  options.k_min = options.k_max = 1;
  AdaptiveSampler sampler(space, options, Rng(1));
  EXPECT_EQ(sampler.Select(trajectory, {}), (std::vector<Config>{{18, 18}}));
  const Config centroid = {18, 18}, mode = {10, 10};
  EXPECT_EQ(sampler.Select(trajectory, {centroid}), (std::vector<Config>{{10, 10}}));
  // The mode visited too: the cluster's nearest unvisited member.
  EXPECT_EQ(sampler.Select(trajectory, {centroid, mode}), (std::vector<Config>{{30, 30}}));
  // Every member visited too: the nearest unvisited neighbour of the centroid.
  const std::vector<Config> batch = sampler.Select(trajectory, {centroid, mode, Config{30, 30}});
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(std::abs(batch[0][0] - 18) + std::abs(batch[0][1] - 18), 1);
}

TEST(AdaptiveSamplerTest, SameSeedSameBatch) {
  const Space space = GridSpace();
  const std::vector<Config> trajectory = Dwelling(GridCentres(3));
  AdaptiveSampler a(space, {}, Rng(8)), b(space, {}, Rng(8));
  EXPECT_EQ(a.Select(trajectory, {}), b.Select(trajectory, {}));
  EXPECT_TRUE(a.Select({}, {}).empty());
}

TEST(AdaptiveSamplerTest, PickBestTakesEachClustersBestScoredUnvisitedMember) {
  const Space space = GridSpace();
  const std::vector<Config> centres = GridCentres(4);  // 16 clusters
  const std::vector<Config> trajectory = Dwelling(centres);
  // The model likes the step to the right of each centre best, then the one above it.
  std::vector<double> scores;
  for (size_t i = 0; i < trajectory.size(); ++i) scores.push_back(i % 5 == 1 ? 2 : i % 5 == 3);
  ConfigSet visited;
  for (const Config& centre : centres)
    if (centre[0] < 20) visited.insert({centre[0] + 1, centre[1]});
  AdaptiveSampler::Options options;
  options.pick = AdaptiveSampler::Options::Pick::kBestMember;
  AdaptiveSampler sampler(space, options, Rng(3));
  const std::vector<Config> batch = sampler.Select(trajectory, visited, scores);
  ASSERT_EQ(batch.size(), 16u);
  for (const Config& centre : centres) {
    // Its right-hand step, or the one above it where the right-hand step was measured.
    const Config wanted =
        centre[0] < 20 ? Config{centre[0], centre[1] + 1} : Config{centre[0] + 1, centre[1]};
    EXPECT_EQ(std::count(batch.begin(), batch.end(), wanted), 1) << centre[0] << "," << centre[1];
  }
  // Without scores the centroids are picked, as RELEASE's Algorithm 1 does.
  AdaptiveSampler unscored(space, options, Rng(3));
  for (const Config& pick : unscored.Select(trajectory, {}))
    EXPECT_TRUE(std::count(centres.begin(), centres.end(), pick) == 1);
}

TEST(AdaptiveSamplerTest, OptionsParseFromKeyValuePairs) {
  const AdaptiveSampler::Options options =
      AdaptiveSampler::Options::Parse("knee=loss-drop,k_min=4,k_max=32,k_step=4,top=0.25");
  EXPECT_EQ(options.knee, AdaptiveSampler::Knee::kLossDrop);
  EXPECT_EQ(options.k_min, 4);
  EXPECT_EQ(options.k_max, 32);
  EXPECT_EQ(options.k_step, 4);
  EXPECT_DOUBLE_EQ(options.top_share, 0.25);
  EXPECT_EQ(AdaptiveSampler::Options::Parse("").knee, AdaptiveSampler::Knee::kElbow);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("knee=middle"), Error);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("k_min=2.5"), Error);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("top=0"), Error);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("k_max=4"), Error);  // below k_min
  EXPECT_THROW(AdaptiveSampler::Options::Parse("size=3"), Error);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("top"), Error);
  EXPECT_THROW(AdaptiveSampler::Options::Parse("pick=worst"), Error);
  EXPECT_EQ(AdaptiveSampler::Options::Parse("pick=best").pick,
            AdaptiveSampler::Options::Pick::kBestMember);
}

}  // namespace
}  // namespace tessel
