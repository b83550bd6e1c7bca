#include "design/ted.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"

namespace tessel {
namespace {

// The four corners of the unit square, then its centre.
Eigen::MatrixXd SquareWithCentre() {
  Eigen::MatrixXd points(5, 2);
  points << 0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5;
  return points;
}

TEST(TedTest, TheDistanceKernelPicksTheCornersBeforeTheCentre) {
  const std::vector<int> picked = Ted(SquareWithCentre(), 5, 5.0, TedKernel::kDistance);
  ASSERT_EQ(picked.size(), 5u);
  EXPECT_EQ(picked.back(), 4);
  EXPECT_EQ(std::set<int>(picked.begin(), picked.begin() + 4), (std::set<int>{0, 1, 2, 3}));
}

TEST(TedTest, TheDistanceKernelSkipsPointsWithoutAPositiveDenominator) {
  // With mu below the distances' scale, deflation drives some diagonals below -mu; those
  // points are passed over instead of scoring with a negative denominator.
  const std::vector<int> picked = Ted(SquareWithCentre(), 5, 0.5, TedKernel::kDistance);
  EXPECT_LT(picked.size(), 5u);
  EXPECT_FALSE(picked.empty());
  EXPECT_EQ(std::set<int>(picked.begin(), picked.end()).size(), picked.size());
}

// Two tight clusters of `per_cluster` points around (0, 0) and (1, 1), interleaved.
Eigen::MatrixXd TwoClusters(int per_cluster) {
  Eigen::MatrixXd points(2 * per_cluster, 2);
  for (int i = 0; i < per_cluster; ++i) {
    const double jitter = 0.01 * i;
    points.row(2 * i) << jitter, 0.02 - jitter;
    points.row(2 * i + 1) << 1 - jitter, 1 - 0.02 + jitter;
  }
  return points;
}

TEST(TedTest, BothKernelsCoverBothClustersWithTheirFirstTwoPicks) {
  for (TedKernel kernel : {TedKernel::kRbf, TedKernel::kDistance}) {
    const std::vector<int> picked = Ted(TwoClusters(10), 2, 1.0, kernel);
    ASSERT_EQ(picked.size(), 2u);
    EXPECT_NE(picked[0] % 2, picked[1] % 2) << "both picks in one cluster";
  }
}

TEST(TedTest, RbfPicksEveryPointOnceWhenAskedForAll) {
  const std::vector<int> picked = Ted(TwoClusters(4), 8, 0.1, TedKernel::kRbf);
  ASSERT_EQ(picked.size(), 8u);
  EXPECT_EQ(std::set<int>(picked.begin(), picked.end()).size(), 8u);
  EXPECT_TRUE(Ted(TwoClusters(4), 0, 0.1, TedKernel::kRbf).empty());
  EXPECT_EQ(Ted(TwoClusters(2), 10, 0.1, TedKernel::kRbf).size(), 4u);
}

TEST(TedTest, RbfPicksTheMostRepresentativePointThenSpreadsOut) {
  // The textbook TED on a 9 x 9 grid: the centre first (it is most like all others), then one
  // point in each quadrant, none on the middle lines.
  Eigen::MatrixXd grid(81, 2);
  for (int i = 0; i < 81; ++i) grid.row(i) << i / 9, i % 9;
  const std::vector<int> picked = Ted(grid, 5, 0.1, TedKernel::kRbf);
  ASSERT_EQ(picked.size(), 5u);
  EXPECT_EQ(picked[0], 4 * 9 + 4);
  std::set<int> quadrants;
  for (size_t i = 1; i < picked.size(); ++i) {
    const int x = picked[i] / 9, y = picked[i] % 9;
    EXPECT_NE(x, 4);
    EXPECT_NE(y, 4);
    quadrants.insert((x > 4) * 2 + (y > 4));
  }
  EXPECT_EQ(quadrants.size(), 4u);
}

// Two knobs of 20 values; configurations with both indices odd are invalid.
Space OddInvalidSpace() {
  std::vector<KnobValue> values;
  for (int64_t v = 0; v < 20; ++v) values.push_back(v);
  return Space({{"x", values}, {"y", values}},
               [](const Space&, const Config& c) { return c[0] % 2 == 0 || c[1] % 2 == 0; });
}

TEST(BtedTest, ReturnsDistinctValidUnvisitedConfigurations) {
  const Space space = OddInvalidSpace();
  ConfigSet visited;
  for (int32_t x = 0; x < 20; x += 2) visited.insert({x, 0});
  for (TedKernel kernel : {TedKernel::kRbf, TedKernel::kDistance}) {
    BtedOptions options;
    options.kernel = kernel;
    options.mu = kernel == TedKernel::kRbf ? 0.1 : 5.0;
    options.subset_size = 64;
    options.subsets = 4;
    Rng rng(7);
    const std::vector<Config> design = BtedDesign(space, 16, visited, options, rng);
    ASSERT_EQ(design.size(), 16u);
    ConfigSet distinct;
    for (const Config& config : design) {
      EXPECT_TRUE(space.IsValid(config));
      EXPECT_FALSE(visited.count(config));
      distinct.insert(config);
    }
    EXPECT_EQ(distinct.size(), 16u);
  }
}

TEST(BtedTest, IsReproducibleBySeedAndSpreadsMoreThanRandomDraws) {
  const Space space = OddInvalidSpace();
  BtedOptions options;
  options.subset_size = 128;
  Rng first(3), second(3);
  const std::vector<Config> design = BtedDesign(space, 12, {}, options, first);
  EXPECT_EQ(design, BtedDesign(space, 12, {}, options, second));
  // The smallest distance between two picks: BTED's beats the first 12 random draws'.
  auto closest_pair = [&](const std::vector<Config>& configs) {
    double closest = 1e9;
    for (size_t i = 0; i < configs.size(); ++i)
      for (size_t j = i + 1; j < configs.size(); ++j)
        closest = std::min(closest, Space::SquaredDistance(space.NormalisedFeatures(configs[i]),
                                                           space.NormalisedFeatures(configs[j])));
    return closest;
  };
  Rng draws(3);
  std::vector<Config> random;
  while (random.size() < 12) random.push_back(*space.SampleValid(draws));
  EXPECT_GT(closest_pair(design), closest_pair(random));
}

// How many (knob, value) pairs of the space a design leaves out.
int MissingKnobValues(const Space& space, const std::vector<Config>& design) {
  int missing = 0;
  for (size_t knob = 0; knob < space.num_knobs(); ++knob) {
    std::set<int32_t> seen;
    for (const Config& config : design) seen.insert(config[knob]);
    missing += static_cast<int>(space.knobs()[knob].values.size() - seen.size());
  }
  return missing;
}

TEST(BtedTest, TheOneHotEncodingSpreadsThePicksOverEveryKnobsValues) {
  std::vector<KnobValue> values;
  for (int64_t v = 1; v <= 5; ++v) values.push_back(v);
  const Space space({{"a", values}, {"b", values}, {"c", values}, {"d", values}});
  BtedOptions options;
  options.subset_size = 625;  // the whole space
  options.subsets = 1;
  // By index, TED's RBF picks representative points, which gather on the middle values;
  // one-hot, no value is nearer the middle, and five picks show each knob all five values.
  Rng by_index_rng(1), one_hot_rng(1);
  options.encoding = TedEncoding::kIndex;
  const std::vector<Config> by_index = BtedDesign(space, 5, {}, options, by_index_rng);
  options.encoding = TedEncoding::kOneHot;
  const std::vector<Config> one_hot = BtedDesign(space, 5, {}, options, one_hot_rng);
  ASSERT_EQ(one_hot.size(), 5u);
  EXPECT_EQ(MissingKnobValues(space, one_hot), 0);
  EXPECT_GT(MissingKnobValues(space, by_index), 0);
}

TEST(BtedTest, ReturnsWhatIsLeftOfASmallSpace) {
  std::vector<KnobValue> values = {int64_t{1}, int64_t{2}, int64_t{3}};
  const Space space({{"x", values}});
  const ConfigSet visited = {{1}};
  Rng rng(1);
  const std::vector<Config> design = BtedDesign(space, 8, visited, {}, rng);
  EXPECT_EQ(std::set<Config>(design.begin(), design.end()), (std::set<Config>{{0}, {2}}));
}

TEST(BtedTest, ParsesItsOptionsAndRejectsBadOnes) {
  const BtedOptions options = BtedOptions::Parse("kernel=distance,encoding=onehot,mu=2,M=100,B=3");
  EXPECT_EQ(options.kernel, TedKernel::kDistance);
  EXPECT_EQ(options.encoding, TedEncoding::kOneHot);
  EXPECT_EQ(options.mu, 2);
  EXPECT_EQ(options.subset_size, 100);
  EXPECT_EQ(options.subsets, 3);
  EXPECT_EQ(BtedOptions::Parse(options.ToString()).ToString(), options.ToString());
  EXPECT_THROW(BtedOptions::Parse("kernel=cosine"), Error);
  EXPECT_THROW(BtedOptions::Parse("encoding=binary"), Error);
  EXPECT_THROW(BtedOptions::Parse("mu=0"), Error);
  EXPECT_THROW(BtedOptions::Parse("M=1.5"), Error);
  EXPECT_THROW(BtedOptions::Parse("radius=2"), Error);
}

}  // namespace
}  // namespace tessel
