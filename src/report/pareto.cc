#include "report/pareto.h"

#include <algorithm>
#include <cmath>

namespace tessel {

std::vector<size_t> ParetoFront(const std::vector<std::pair<double, double>>& points,
                                bool minimise_x, bool minimise_y) {
  // In "lower is better" terms, a sweep in order of x (ties: better y first, then index) keeps
  // a point exactly when its y beats every point's before it: O(n log n).
  auto cost = [&](size_t i) {
    return std::make_pair(minimise_x ? points[i].first : -points[i].first,
                          minimise_y ? points[i].second : -points[i].second);
  };
  std::vector<size_t> order;
  for (size_t i = 0; i < points.size(); ++i)
    if (std::isfinite(points[i].first) && std::isfinite(points[i].second)) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return cost(a) < cost(b); });
  std::vector<size_t> front;
  double best_y = INFINITY;
  for (size_t i : order) {
    if (cost(i).second < best_y) {
      front.push_back(i);
      best_y = cost(i).second;
    }
  }
  std::sort(front.begin(), front.end(),
            [&](size_t a, size_t b) { return points[a].first < points[b].first; });
  return front;
}

}  // namespace tessel
