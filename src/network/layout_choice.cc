#include "network/layout_choice.h"

#include <chrono>

#include "core/error.h"
#include "core/stats.h"

namespace tessel {

LayoutChoice ChooseFastestLayout(const std::vector<NetworkExecutor*>& candidates,
                                 const std::vector<TensorLayout>& layouts,
                                 const std::vector<float>& input, int min_rounds,
                                 double min_total_ms, int max_rounds) {
  if (candidates.empty() || candidates.size() != layouts.size())
    throw ConfigError("the layout choice needs one executor per candidate layout");
  if (min_rounds < 1 || max_rounds < min_rounds)
    throw ConfigError("the layout choice needs 1 <= min_rounds <= max_rounds");
  using Clock = std::chrono::steady_clock;
  LayoutChoice choice;
  for (size_t i = 0; i < candidates.size(); ++i) {
    choice.timings.push_back({layouts[i], {}, 0});
    candidates[i]->Run(input);  // faults in its buffers and wakes the pool
  }
  const auto start = Clock::now();
  for (int round = 0; round < max_rounds; ++round) {
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (round >= min_rounds && elapsed_ms >= min_total_ms) break;
    for (size_t k = 0; k < candidates.size(); ++k) {
      const size_t i = round % 2 == 0 ? k : candidates.size() - 1 - k;
      const auto run_start = Clock::now();
      candidates[i]->Run(input);
      choice.timings[i].ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - run_start).count());
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    choice.timings[i].median_ms = Median(choice.timings[i].ms);
    if (choice.timings[i].median_ms < choice.timings[choice.chosen].median_ms) choice.chosen = i;
  }
  return choice;
}

}  // namespace tessel
