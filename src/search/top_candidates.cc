#include "search/top_candidates.h"

namespace tessel {

bool TopCandidates::Offer(double score, const Config& config) {
  if (capacity_ <= 0) return false;
  if (exclude_.count(config) || kept_.count(config)) return false;
  if (static_cast<int>(top_.size()) == capacity_) {
    if (!(score > top_.begin()->first)) return false;
    kept_.erase(top_.begin()->second);
    top_.erase(top_.begin());
  }
  top_.emplace(score, config);
  kept_.insert(config);
  return true;
}

std::vector<Config> TopCandidates::Best() const {
  std::vector<Config> best;
  best.reserve(top_.size());
  for (auto it = top_.rbegin(); it != top_.rend(); ++it) best.push_back(it->second);
  return best;
}

}  // namespace tessel
