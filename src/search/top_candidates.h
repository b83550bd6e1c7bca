// The best `capacity` distinct configurations a search has scored, leaving out an excluded
// set (the visited ones): what simulated annealing and the PPO agent both hand back as the
// next plan. Ordered by (score, configuration), configurations compared lexicographically
// (which is their flat-index order, first knob most significant, in spaces small enough to
// have flat indices), so ties resolve the same way everywhere and in spaces of any size.
#pragma once

#include <set>
#include <utility>
#include <vector>

#include "space/space.h"

namespace tessel {

class TopCandidates {
 public:
  TopCandidates(int capacity, const ConfigSet& exclude) : capacity_(capacity), exclude_(exclude) {}

  // Keeps the configuration when it is new, not excluded, and scores above the worst kept
  // one (or there is room). Returns whether it was kept.
  bool Offer(double score, const Config& config);

  // The kept configurations, best first.
  std::vector<Config> Best() const;

 private:
  const int capacity_;
  const ConfigSet& exclude_;
  std::set<std::pair<double, Config>> top_;
  ConfigSet kept_;
};

}  // namespace tessel
