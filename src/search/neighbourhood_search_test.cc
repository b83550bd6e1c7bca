#include "search/neighbourhood_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"

namespace tessel {
namespace {

TEST(RadiusRuleTest, HoldsWhileTheBestImprovesEnoughAndGrowsByTauOtherwise) {
  RadiusRule::Options options;
  options.initial = 0.1;
  options.tau = 2;
  options.min_improvement = 0.05;
  RadiusRule rule(options);
  EXPECT_DOUBLE_EQ(rule.radius(), 0.1);
  rule.Update(10.0, 9.0);  // 10% better: kept
  EXPECT_DOUBLE_EQ(rule.radius(), 0.1);
  rule.Update(9.0, 9.0);  // no better: grows
  EXPECT_DOUBLE_EQ(rule.radius(), 0.2);
  rule.Update(9.0, 8.7);  // 3.3% better, under the threshold: grows
  EXPECT_DOUBLE_EQ(rule.radius(), 0.4);
  rule.Update(8.7, 5.0);  // a big gain: held, never shrunk
  EXPECT_DOUBLE_EQ(rule.radius(), 0.4);
  rule.Update(5.0, 5.0);
  rule.Update(5.0, 5.0);
  EXPECT_DOUBLE_EQ(rule.radius(), 1.0);  // capped: the whole space
  RadiusRule fresh(options);
  fresh.Update(std::nan(""), 4.0);  // the first working configuration counts as a gain
  EXPECT_DOUBLE_EQ(fresh.radius(), 0.1);
  fresh.Update(std::nan(""), std::nan(""));  // still nothing works: look further
  EXPECT_DOUBLE_EQ(fresh.radius(), 0.2);
}

TEST(RadiusRuleTest, BadOptionsAreErrors) {
  RadiusRule::Options options;
  options.initial = 0;
  EXPECT_THROW(RadiusRule{options}, Error);
  options = {};
  options.tau = 0.5;
  EXPECT_THROW(RadiusRule{options}, Error);
}

// Two knobs of 101 values; x + y must be even.
Space EvenSpace() {
  std::vector<KnobValue> values;
  for (int64_t v = 0; v <= 100; ++v) values.push_back(v);
  return Space({{"x", values}, {"y", values}},
               [](const Space&, const Config& c) { return (c[0] + c[1]) % 2 == 0; });
}

// Scores a configuration higher the closer it lies to (80, 20).
class DistanceModel : public CostModel {
 public:
  void Fit(const std::vector<Config>&, const std::vector<double>&) override {}
  std::vector<double> Predict(const std::vector<Config>& configs) const override {
    std::vector<double> scores;
    for (const Config& c : configs) scores.push_back(-std::hypot(c[0] - 80, c[1] - 20));
    return scores;
  }
};

TEST(NeighbourhoodSearchTest, ScoresOnlyTheNeighbourhoodsOfTheCentres) {
  const Space space = EvenSpace();
  NeighbourhoodSearch::Options options;
  options.candidates = 100;  // of the 120 valid, unexcluded configurations in the two boxes
  NeighbourhoodSearch search(space, options, Rng(1));
  const std::vector<Config> centres = {{50, 50}, {10, 90}};
  const ConfigSet exclude = {{52, 52}};
  const std::vector<Config> best = search.FindMaximums(DistanceModel(), centres, 0.05, 30, exclude);
  ASSERT_EQ(best.size(), 30u);
  EXPECT_EQ(search.last_candidates(), 100);
  ConfigSet distinct;
  for (const Config& c : best) {
    EXPECT_TRUE(space.IsValid(c));
    EXPECT_FALSE(exclude.count(c));
    EXPECT_TRUE(distinct.insert(c).second);
    // Radius 0.05 of 100 steps: within 5 of (50, 50), the centre nearer (80, 20).
    EXPECT_LE(std::abs(c[0] - 50), 5);
    EXPECT_LE(std::abs(c[1] - 50), 5);
  }
  // Best first: the top candidate is the box's corner nearest (80, 20).
  EXPECT_EQ(best[0], (Config{55, 45}));
}

TEST(NeighbourhoodSearchTest, AnnealingRefinesTheDrawsWithoutLeavingTheirNeighbourhoods) {
  // No parity rule here: with it, one-knob moves cannot leave (59, 41) for (60, 40).
  std::vector<KnobValue> values;
  for (int64_t v = 0; v <= 100; ++v) values.push_back(v);
  const Space space({{"x", values}, {"y", values}},
                    [](const Space&, const Config&) { return true; });
  NeighbourhoodSearch::Options options;
  options.candidates = 8;  // too few draws to hit the box's best corner by chance
  options.anneal_chains = 4;
  NeighbourhoodSearch search(space, options, Rng(4));
  const std::vector<Config> centres = {{50, 50}, {10, 90}};
  const std::vector<Config> best = search.FindMaximums(DistanceModel(), centres, 0.1, 10, {});
  ASSERT_EQ(best.size(), 10u);
  EXPECT_EQ(search.last_candidates(), 8);
  // Radius 0.1: within 10 of a centre; the annealing climbs to (60, 40), the corner nearest
  // (80, 20), which 8 uniform draws from 2 boxes of 441 points would rarely reach.
  EXPECT_EQ(best[0], (Config{60, 40}));
  for (const Config& c : best) {
    EXPECT_TRUE(space.IsValid(c));
    const bool near_first = std::abs(c[0] - 50) <= 10 && std::abs(c[1] - 50) <= 10;
    const bool near_second = std::abs(c[0] - 10) <= 10 && std::abs(c[1] - 90) <= 10;
    EXPECT_TRUE(near_first || near_second);
  }
  NeighbourhoodSearch sampling_only(space, {.centres = 8, .candidates = 8}, Rng(4));
  EXPECT_NE(sampling_only.FindMaximums(DistanceModel(), centres, 0.1, 1, {})[0], (Config{60, 40}));
}

TEST(NeighbourhoodSearchTest, AListedSpaceDrawsItsRowsInsideTheBoxes) {
  Space space = EvenSpace();
  std::vector<uint64_t> rows;
  for (int32_t x = 0; x <= 100; x += 10)
    for (int32_t y = 0; y <= 100; y += 10) rows.push_back(space.FlatIndex({x, y}));
  space.ListValid(rows);
  NeighbourhoodSearch search(space, {}, Rng(2));
  const std::vector<Config> best = search.FindMaximums(DistanceModel(), {{50, 50}}, 0.1, 100, {});
  // Within 10 steps of (50, 50): the 9 listed rows of the 3 x 3 block around it.
  EXPECT_EQ(search.last_candidates(), 9);
  EXPECT_EQ(best.size(), 9u);
  EXPECT_EQ(best[0], (Config{60, 40}));
  // No centres: the whole list.
  search.FindMaximums(DistanceModel(), {}, 0.1, 5, {});
  EXPECT_EQ(search.last_candidates(), 121);
}

// Pairs of configurations in the batch that share a value of some knob.
int PairsSharingAKnob(const std::vector<Config>& batch) {
  int pairs = 0;
  for (size_t i = 0; i < batch.size(); ++i)
    for (size_t j = i + 1; j < batch.size(); ++j)
      pairs += batch[i][0] == batch[j][0] || batch[i][1] == batch[j][1];
  return pairs;
}

TEST(NeighbourhoodSearchTest, KeepsTheBatchsPicksApartOnTheKnobsAsked) {
  const Space space = EvenSpace();
  NeighbourhoodSearch::Options options;
  options.candidates = 100;
  options.min_knobs_apart = 0;
  const std::vector<Config> centres = {{50, 50}};
  NeighbourhoodSearch ranked_search(space, options, Rng(1));
  const std::vector<Config> ranked =
      ranked_search.FindMaximums(DistanceModel(), centres, 0.05, 8, {});
  options.min_knobs_apart = 2;
  NeighbourhoodSearch apart_search(space, options, Rng(1));
  const std::vector<Config> apart =
      apart_search.FindMaximums(DistanceModel(), centres, 0.05, 8, {});
  ASSERT_EQ(apart.size(), 8u);
  EXPECT_GT(PairsSharingAKnob(ranked), 0);  // the best draws crowd the corner nearest (80, 20)
  EXPECT_EQ(PairsSharingAKnob(apart), 0);
  EXPECT_EQ(apart[0], ranked[0]);  // the best draw still leads
  // The box around (50, 50) holds 61 valid points, but at most 11 share no x and no y: the
  // rest of a batch of 60 comes from the draws the rule skipped.
  NeighbourhoodSearch filling_search(space, options, Rng(1));
  const std::vector<Config> filled =
      filling_search.FindMaximums(DistanceModel(), centres, 0.05, 60, {});
  EXPECT_EQ(filled.size(), 60u);
  EXPECT_EQ(std::set<Config>(filled.begin(), filled.end()).size(), 60u);
  options.min_knobs_apart = -1;
  EXPECT_THROW(NeighbourhoodSearch(space, options, Rng(1)), Error);
}

TEST(NeighbourhoodSearchTest, IsReproducibleBySeed) {
  const Space space = EvenSpace();
  NeighbourhoodSearch first(space, {}, Rng(3)), second(space, {}, Rng(3));
  const std::vector<Config> centres = {{30, 30}};
  EXPECT_EQ(first.FindMaximums(DistanceModel(), centres, 0.2, 20, {}),
            second.FindMaximums(DistanceModel(), centres, 0.2, 20, {}));
}

}  // namespace
}  // namespace tessel
