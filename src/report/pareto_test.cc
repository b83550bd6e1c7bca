#include "report/pareto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace tessel {
namespace {

using Points = std::vector<std::pair<double, double>>;

// The definition, in O(n^2): no other point is at least as good in both and better in one, and
// of equal points the first.
std::vector<size_t> BruteForceFront(const Points& points, bool minimise_x, bool minimise_y) {
  auto better_or_equal = [](double a, double b, bool minimise) {
    return minimise ? a <= b : a >= b;
  };
  std::vector<size_t> front;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto [x, y] = points[i];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      const auto [u, v] = points[j];
      if (j == i || !std::isfinite(u) || !std::isfinite(v)) continue;
      const bool as_good = better_or_equal(u, x, minimise_x) && better_or_equal(v, y, minimise_y);
      dominated = as_good && ((u != x || v != y) || j < i);
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(),
            [&](size_t a, size_t b) { return points[a].first < points[b].first; });
  return front;
}

TEST(ParetoTest, MinimisingBoth) {
  const Points points = {{1, 5}, {2, 4}, {4, 3}, {3, 2.5}, {5, 4}, {8, 2}, {9, 1}, {9, 3}};
  EXPECT_EQ(ParetoFront(points, true, true), (std::vector<size_t>{0, 1, 3, 5, 6}));
}

TEST(ParetoTest, MaximisingOneAndMinimisingTheOther) {
  // Accuracy up, energy down.
  const Points points = {{0.5, 5}, {0.6, 3}, {0.7, 4}, {0.8, 2}, {0.9, 2.5}, {0.4, 4}, {0.3, 1}};
  EXPECT_EQ(ParetoFront(points, false, true), (std::vector<size_t>{6, 3, 4}));
  EXPECT_EQ(ParetoFront(points, false, false), (std::vector<size_t>{0, 2, 4}));
  EXPECT_EQ(ParetoFront(points, true, false), (std::vector<size_t>{6, 5, 0}));
}

TEST(ParetoTest, EqualPointsOnceAndNonFiniteNever) {
  const Points points = {{NAN, 0}, {1, 1}, {1, 1}, {0, INFINITY}, {1, 2}, {2, 1}};
  EXPECT_EQ(ParetoFront(points, true, true), (std::vector<size_t>{1}));
  EXPECT_TRUE(ParetoFront({}, true, true).empty());
  EXPECT_TRUE(ParetoFront({{NAN, NAN}}, true, true).empty());
}

TEST(ParetoTest, AgreesWithTheDefinitionOnRandomPoints) {
  std::mt19937 random(3);
  for (int trial = 0; trial < 200; ++trial) {
    Points points;
    std::uniform_int_distribution<int> coordinate(0, 6);  // small: many ties
    const int n = 1 + trial % 40;
    for (int i = 0; i < n; ++i) points.emplace_back(coordinate(random), coordinate(random));
    for (bool minimise_x : {true, false})
      for (bool minimise_y : {true, false})
        ASSERT_EQ(ParetoFront(points, minimise_x, minimise_y),
                  BruteForceFront(points, minimise_x, minimise_y))
            << "trial " << trial << " " << minimise_x << minimise_y;
  }
}

}  // namespace
}  // namespace tessel
