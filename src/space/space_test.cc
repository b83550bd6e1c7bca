#include "space/space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <unordered_set>

#include "core/error.h"
#include "space/huge_space_test_util.h"

namespace tessel {
namespace {

Space SmallSpace() {
  std::vector<KnobValue> splits;
  for (Factors& f : Factorizations(8, 2)) splits.emplace_back(f);
  std::vector<Knob> knobs = {
      {"tile", splits},
      {"vec", {int64_t{4}, int64_t{8}, int64_t{16}}},
      {"layout", {std::string("nchw"), std::string("nchwc")}},
  };
  // Valid when the inner split factor is a multiple of the vector width.
  return Space(knobs, [](const Space& space, const Config& c) {
    return space.FactorsValue(c, "tile")[1] % space.IntValue(c, "vec") == 0;
  });
}

TEST(FactorizationsTest, EnumeratesOrderedProducts) {
  EXPECT_EQ(Factorizations(8, 2), (std::vector<Factors>{{1, 8}, {2, 4}, {4, 2}, {8, 1}}));
  EXPECT_EQ(Factorizations(12, 3).size(), 18u);  // 2^2*3: C(4,2) * C(3,2)
  for (const Factors& f : Factorizations(56, 3)) EXPECT_EQ(f[0] * f[1] * f[2], 56);
  EXPECT_EQ(Factorizations(7, 1), (std::vector<Factors>{{7}}));
}

TEST(SpaceTest, FlatIndexRoundTripsEveryConfiguration) {
  const Space space = SmallSpace();
  EXPECT_EQ(space.Size(), 4u * 3u * 2u);
  std::set<uint64_t> seen;
  for (uint64_t i = 0; i < space.Size(); ++i) {
    const Config config = space.FromFlatIndex(i);
    EXPECT_EQ(space.FlatIndex(config), i);
    EXPECT_EQ(space.FromText(space.ToText(config)), config);
    seen.insert(space.FlatIndex(config));
  }
  EXPECT_EQ(seen.size(), space.Size());
}

TEST(SpaceTest, AHugeSpaceIsSampledAndWalkedWithoutFlatIndices) {
  const Space space = HugeSpace();
  EXPECT_FALSE(space.indexable());
  EXPECT_EQ(space.Size(), std::numeric_limits<uint64_t>::max());  // saturated
  EXPECT_TRUE(SmallSpace().indexable());

  Rng rng(11);
  ConfigSet drawn;
  for (int i = 0; i < 100; ++i) {
    const std::optional<Config> config = space.SampleValid(rng);
    ASSERT_TRUE(config.has_value());
    EXPECT_TRUE(space.IsValid(*config));
    EXPECT_EQ(space.FromText(space.ToText(*config)), *config);
    drawn.insert(*config);
  }
  EXPECT_EQ(drawn.size(), 100u);

  // An interior point: both steps of every knob but the first, whose odd steps are invalid.
  const Config centre(60, 2);
  const std::vector<Config> neighbours = space.Neighbours(centre);
  ASSERT_EQ(neighbours.size(), 2u * 59u);
  for (const Config& next : neighbours) {
    EXPECT_TRUE(space.IsValid(next));
    int moved = 0;
    for (size_t k = 0; k < next.size(); ++k) moved += std::abs(next[k] - centre[k]);
    EXPECT_EQ(moved, 1);
  }

  // The estimate scales the hit rate by the true size, not the saturated one.
  const Space::ValidCount count = space.CountValid(2'000'000, 20'000);
  EXPECT_FALSE(count.exact);
  EXPECT_NEAR(count.count / std::pow(1536.0, 60), 0.5, 0.02);
}

TEST(SpaceTest, ConfigSetTellsConfigurationsApart) {
  ConfigSet set = {{0, 1}, {1, 0}, {0, 1, 0}, {0}, {}};
  EXPECT_EQ(set.size(), 5u);
  EXPECT_FALSE(set.insert({1, 0}).second);
  EXPECT_EQ(set.count({0, 1}), 1u);
  EXPECT_EQ(set.count({0, 0}), 0u);
  EXPECT_EQ(set.count({0, 1, 0, 0}), 0u);
  // The hash mixes: every point of a 64 x 64 grid hashes differently, and the low bits that
  // pick a bucket spread as a random function's would (about 63% of 4096 buckets filled).
  std::set<size_t> hashes, buckets;
  for (int32_t a = 0; a < 64; ++a) {
    for (int32_t b = 0; b < 64; ++b) {
      const size_t hash = ConfigHash{}({a, b});
      hashes.insert(hash);
      buckets.insert(hash % 4096);
    }
  }
  EXPECT_EQ(hashes.size(), 4096u);
  EXPECT_GT(buckets.size(), 2400u);
}

TEST(SpaceTest, CanonicalTextNamesEveryKnob) {
  const Space space = SmallSpace();
  const Config config = {1, 1, 1};
  EXPECT_EQ(space.ToText(config), "tile=2x4;vec=8;layout=nchwc");
  EXPECT_EQ(space.FromText("layout=nchwc;vec=8;tile=2x4"), config);  // any order is read
}

TEST(SpaceTest, MalformedTextIsAnError) {
  const Space space = SmallSpace();
  EXPECT_THROW(space.FromText("tile=2x4;vec=8"), Error);                  // missing knob
  EXPECT_THROW(space.FromText("tile=3x3;vec=8;layout=nchw"), Error);      // unknown value
  EXPECT_THROW(space.FromText("tile=2x4;vec=8;layout=nchw;x=1"), Error);  // unknown knob
  EXPECT_THROW(space.FromText("tile"), Error);                            // no '='
}

TEST(SpaceTest, ConstraintsAndNeighbours) {
  const Space space = SmallSpace();
  EXPECT_TRUE(space.IsValid({0, 0, 0}));                               // 1x8, vec 4
  EXPECT_FALSE(space.IsValid({2, 1, 0}));                              // 4x2, vec 8
  EXPECT_FALSE(space.IsValid({0, 3, 0}));                              // out of range
  EXPECT_FALSE(space.IsValid({0, 0}));                                 // wrong length
  const std::vector<Config> neighbours = space.Neighbours({1, 0, 0});  // 2x4, vec 4
  // tile 1x8 and 4x2 (4x2 % 4 != 0 is invalid), vec 8 (4 % 8 invalid), layout nchwc.
  const std::vector<Config> expected = {{0, 0, 0}, {1, 0, 1}};
  EXPECT_EQ(neighbours, expected);
  for (const Config& n : neighbours) EXPECT_TRUE(space.IsValid(n));
}

TEST(SpaceTest, FeaturesAreNormalised) {
  const Space space = SmallSpace();
  EXPECT_EQ(space.NormalisedFeatures({3, 2, 1}), (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_EQ(space.NormalisedFeatures({0, 1, 0}), (std::vector<double>{0.0, 0.5, 0.0}));
}

TEST(SpaceTest, SamplingReturnsOnlyValidConfigurations) {
  const Space space = SmallSpace();
  Rng rng(7);
  for (int i = 0; i < 200; ++i) {
    const auto config = space.SampleValid(rng);
    ASSERT_TRUE(config.has_value());
    EXPECT_TRUE(space.IsValid(*config));
  }
  const Space::ValidCount count = space.CountValid();
  EXPECT_TRUE(count.exact);
  // vec 4: inner 8,4 -> 2 tiles; vec 8: inner 8 -> 1; vec 16: none. Times two layouts.
  EXPECT_EQ(count.count, 6.0);
}

TEST(SpaceTest, SameSeedSameSamples) {
  const Space space = SmallSpace();
  Rng a(42), b(42), c(43);
  std::vector<Config> from_a, from_b, from_c;
  for (int i = 0; i < 20; ++i) {
    from_a.push_back(*space.SampleValid(a));
    from_b.push_back(*space.SampleValid(b));
    from_c.push_back(*space.SampleValid(c));
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_NE(from_a, from_c);
}

TEST(RngTest, ForksAreIndependentOfOrder) {
  const Rng root(5);
  EXPECT_EQ(root.Fork("a").seed(), Rng(5).Fork("a").seed());
  EXPECT_NE(root.Fork("a").seed(), root.Fork("b").seed());
  EXPECT_NE(root.Fork("a", 0).seed(), root.Fork("a", 1).seed());
  Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = rng.UniformInt(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
    const double u = rng.UniformReal();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

TEST(SpaceTest, AListedSpaceSamplesCountsAndStepsThroughItsRows) {
  // 1000^3 index vectors, five of them valid: rejection sampling would never find one.
  std::vector<KnobValue> values;
  for (int64_t v = 0; v < 1000; ++v) values.push_back(v);
  auto rows = std::make_shared<std::unordered_set<uint64_t>>();
  Space space({{"a", values}, {"b", values}, {"c", values}},
              [rows](const Space& s, const Config& c) { return rows->count(s.FlatIndex(c)) > 0; });
  const std::vector<Config> listed = {{1, 2, 3}, {1, 2, 900}, {1, 7, 3}, {5, 2, 3}, {999, 0, 0}};
  for (const Config& config : listed) rows->insert(space.FlatIndex(config));
  space.ListValid({rows->begin(), rows->end()});
  ASSERT_NE(space.valid_list(), nullptr);
  EXPECT_EQ(space.valid_list()->size(), 5u);
  EXPECT_EQ(space.CountValid().count, 5);
  EXPECT_TRUE(space.CountValid().exact);
  Rng rng(3);
  std::set<Config> drawn;
  for (int i = 0; i < 200; ++i) {
    const std::optional<Config> config = space.SampleValid(rng, 1);
    ASSERT_TRUE(config.has_value());
    EXPECT_TRUE(space.IsValid(*config));
    drawn.insert(*config);
  }
  EXPECT_EQ(drawn.size(), 5u);  // every row comes up
  // The other rows, nearest first in normalised knob space; nothing for an unlisted config.
  EXPECT_EQ(space.Neighbours({1, 2, 3}),
            (std::vector<Config>{{5, 2, 3}, {1, 7, 3}, {1, 2, 900}, {999, 0, 0}}));
  EXPECT_TRUE(space.Neighbours({1, 2, 4}).empty());
  const Space unlisted({{"a", values}});
  EXPECT_EQ(unlisted.valid_list(), nullptr);
  EXPECT_EQ(unlisted.Neighbours({3}), (std::vector<Config>{{2}, {4}}));
}

}  // namespace
}  // namespace tessel
