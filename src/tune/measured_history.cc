#include "tune/measured_history.h"

#include <algorithm>
#include <cmath>

namespace tessel {

double MeasuredHistory::Best() const {
  double best = std::nan("");
  for (double value : values)
    if (!std::isnan(value) && !(value >= best)) best = value;
  return best;
}

std::vector<Config> MeasuredHistory::BestConfigs(size_t count) const {
  std::vector<size_t> order;
  for (size_t i = 0; i < configs.size(); ++i)
    if (!std::isnan(values[i])) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return values[a] < values[b] || (values[a] == values[b] && a < b);
  });
  std::vector<Config> best;
  for (size_t i = 0; i < order.size() && best.size() < count; ++i)
    best.push_back(configs[order[i]]);
  return best;
}

}  // namespace tessel
