#include "search/simulated_annealing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

// 30 x 30 x 4 configurations; a configuration whose first two knobs sum to a multiple of 7
// is invalid.
Space SmallSpace() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 30; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  knobs.push_back({"c", {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}}});
  return Space(knobs, [](const Space&, const Config& c) { return (c[0] + c[1]) % 7 != 0; });
}

// A cost model that knows the answer: the score is minus a bumpy bowl around (21, 9, 2).
class KnownFunctionModel : public CostModel {
 public:
  void Fit(const std::vector<Config>&, const std::vector<double>&) override {}
  std::vector<double> Predict(const std::vector<Config>& configs) const override {
    std::vector<double> scores;
    for (const Config& c : configs) scores.push_back(Score(c));
    return scores;
  }
  static double Score(const Config& c) {
    const double a = c[0] - 21, b = c[1] - 9, d = c[2] - 2;
    return -(a * a + b * b + 4 * d * d) + 3 * std::cos(c[0] * 1.3) * std::cos(c[1] * 0.7);
  }
};

std::vector<std::pair<double, Config>> Exhaustive(const Space& space) {
  std::vector<std::pair<double, Config>> all;
  for (uint64_t i = 0; i < space.Size(); ++i) {
    const Config c = space.FromFlatIndex(i);
    if (space.IsValid(c)) all.emplace_back(KnownFunctionModel::Score(c), c);
  }
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  return all;
}

TEST(SimulatedAnnealingTest, FindsTheOptimumOfAKnownFunction) {
  const Space space = SmallSpace();
  const auto ranked = Exhaustive(space);
  KnownFunctionModel model;
  SimulatedAnnealing annealing(space, {}, Rng(1));
  const std::vector<Config> best = annealing.FindMaximums(model, 8, {});
  ASSERT_EQ(best.size(), 8u);
  EXPECT_EQ(best[0], ranked[0].second);
  for (size_t i = 0; i < best.size(); ++i) EXPECT_EQ(best[i], ranked[i].second) << i;
  EXPECT_GT(annealing.last_iterations(), 0);
  EXPECT_LE(annealing.last_iterations(), 500);
}

TEST(SimulatedAnnealingTest, NeverReturnsExcludedOrInvalidConfigurations) {
  const Space space = SmallSpace();
  const auto ranked = Exhaustive(space);
  ConfigSet visited;
  for (int i = 0; i < 3; ++i) visited.insert(ranked[i].second);
  KnownFunctionModel model;
  SimulatedAnnealing annealing(space, {}, Rng(2));
  const std::vector<Config> best = annealing.FindMaximums(model, 64, visited);
  ASSERT_EQ(best.size(), 64u);
  EXPECT_EQ(best[0], ranked[3].second);  // the best unvisited one
  ConfigSet seen;
  for (const Config& c : best) {
    EXPECT_TRUE(space.IsValid(c));
    EXPECT_FALSE(visited.count(c));
    EXPECT_TRUE(seen.insert(c).second);
  }
}

TEST(SimulatedAnnealingTest, ChainsConfinedToBoxesFindTheBestInsideThem) {
  const Space space = SmallSpace();
  // Two boxes away from the optimum (21, 9, 2): a in [0, 9], b in [15, 29]; and a, b in [25, 29].
  const SimulatedAnnealing::Box left{{0, 15, 0}, {9, 29, 3}};
  const SimulatedAnnealing::Box corner{{25, 25, 0}, {29, 29, 3}};
  auto inside = [](const Config& c, const SimulatedAnnealing::Box& box) {
    for (size_t k = 0; k < c.size(); ++k)
      if (c[k] < box.low[k] || c[k] > box.high[k]) return false;
    return true;
  };
  const auto ranked = Exhaustive(space);
  Config best_inside;
  for (const auto& [score, c] : ranked)
    if (inside(c, left) || inside(c, corner)) {
      best_inside = c;
      break;
    }
  SimulatedAnnealing annealing(space, {}, Rng(6));
  const std::vector<Config> best = annealing.FindMaximumsWithin(
      KnownFunctionModel(), {{1, 28, 0}, {2, 27, 1}, {28, 28, 0}}, {left, left, corner}, 8, {});
  ASSERT_EQ(best.size(), 8u);
  EXPECT_EQ(best[0], best_inside);
  for (const Config& c : best) {
    EXPECT_TRUE(space.IsValid(c));
    EXPECT_TRUE(inside(c, left) || inside(c, corner));
  }
}

TEST(SimulatedAnnealingTest, SameSeedSameResultAndChainsPersist) {
  const Space space = SmallSpace();
  KnownFunctionModel model;
  SimulatedAnnealing first(space, {}, Rng(5)), second(space, {}, Rng(5));
  EXPECT_EQ(first.FindMaximums(model, 16, {}), second.FindMaximums(model, 16, {}));
  // Persistent chains start the second search near the optimum, so it converges sooner.
  const int cold = first.last_iterations();
  first.FindMaximums(model, 16, {});
  EXPECT_LE(first.last_iterations(), cold);
}

TEST(SimulatedAnnealingTest, BadOptionsAreErrors) {
  const Space space = SmallSpace();
  SimulatedAnnealing::Options options;
  options.parallel_size = 0;
  EXPECT_THROW(SimulatedAnnealing(space, options, Rng(0)), Error);
  options = {};
  options.temperature_end = 2;
  EXPECT_THROW(options.Validate(), Error);
}

}  // namespace
}  // namespace tessel
