// The Pareto front of points with two objectives, each minimised or maximised: the points no
// other point is at least as good as in both and better in one. The report highlights it on the
// scatter of a task's objective against another of its metrics.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace tessel {

// Indices of the front's points, by increasing x. Points with a non-finite coordinate are never
// on it; of equal points only the first is listed.
std::vector<size_t> ParetoFront(const std::vector<std::pair<double, double>>& points,
                                bool minimise_x, bool minimise_y);

}  // namespace tessel
