// The best `capacity` distinct configurations a search has scored, leaving out an excluded
// set (the visited ones): what simulated annealing and the PPO agent both hand back as the
// next plan. Ordered by (score, flat index), so ties resolve the same way everywhere.
#pragma once

#include <cstdint>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "space/space.h"

namespace tessel {

class TopCandidates {
 public:
  TopCandidates(const Space& space, int capacity, const std::unordered_set<uint64_t>& exclude)
      : space_(space), capacity_(capacity), exclude_(exclude) {}

  // Keeps the configuration when it is new, not excluded, and scores above the worst kept
  // one (or there is room). Returns whether it was kept.
  bool Offer(double score, const Config& config);

  // The kept configurations, best first.
  std::vector<Config> Best() const;

 private:
  const Space& space_;
  const int capacity_;
  const std::unordered_set<uint64_t>& exclude_;
  std::set<std::pair<double, uint64_t>> top_;
  std::unordered_set<uint64_t> kept_;
};

}  // namespace tessel
