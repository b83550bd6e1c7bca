#include "search/uniform_screen.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"

namespace tessel {

ScreenResult ScreenUniformDraws(const Space& space, const CostModel& model, int pool, int count,
                                const ConfigSet& exclude, Rng& rng) {
  TESSEL_CHECK(pool >= 0 && count >= 0) << "negative pool or count";
  ConfigSet drawn_set;
  std::vector<Config> drawn;
  for (int i = 0; i < pool; ++i) {
    std::optional<Config> config = space.SampleValid(rng);
    if (!config) break;  // no valid configuration can be found
    if (exclude.count(*config) || !drawn_set.insert(*config).second) continue;
    drawn.push_back(std::move(*config));
  }
  ScreenResult result;
  result.scored = static_cast<int>(drawn.size());
  if (drawn.empty()) return result;
  const std::vector<double> scores = model.Predict(drawn);
  std::vector<size_t> order(drawn.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  order.resize(std::min(order.size(), static_cast<size_t>(count)));
  for (size_t index : order) result.best.push_back(std::move(drawn[index]));
  return result;
}

}  // namespace tessel
