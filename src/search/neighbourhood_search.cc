#include "search/neighbourhood_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace tessel {

void RadiusRule::Options::Validate() const {
  if (!(initial > 0 && initial <= 1)) throw ConfigError("BAO's initial radius must be in (0, 1]");
  if (!(tau >= 1 && std::isfinite(tau))) throw ConfigError("BAO's tau must be at least 1");
  if (!(min_improvement >= 0 && min_improvement < 1))
    throw ConfigError("BAO's improvement threshold must be in [0, 1)");
}

RadiusRule::RadiusRule(const Options& options) : options_(options), radius_(options.initial) {
  options_.Validate();
}

void RadiusRule::Update(double best_before_ms, double best_after_ms) {
  const bool before_known = std::isfinite(best_before_ms) && best_before_ms > 0;
  const bool after_known = std::isfinite(best_after_ms) && best_after_ms > 0;
  double improvement = 0;
  if (before_known && after_known)
    improvement = (best_before_ms - best_after_ms) / best_before_ms;
  else if (!before_known && after_known)
    improvement = 1;  // the first working configuration: as good a step as any
  if (improvement >= options_.min_improvement && improvement > 0) return;
  radius_ = std::min(1.0, radius_ * options_.tau);
}

void NeighbourhoodSearch::Options::Validate() const {
  if (centres < 1) throw ConfigError("BAO needs at least one centre");
  if (candidates < 1) throw ConfigError("BAO needs at least one candidate per search");
}

NeighbourhoodSearch::NeighbourhoodSearch(const Space& space, const Options& options, Rng rng)
    : space_(space), options_(options), rng_(std::move(rng)) {
  options_.Validate();
}

std::vector<Config> NeighbourhoodSearch::DrawCandidates(
    const std::vector<Config>& centres, double radius,
    const std::unordered_set<uint64_t>& exclude) {
  const size_t knobs = space_.num_knobs();
  std::vector<int32_t> spans(knobs);
  for (size_t k = 0; k < knobs; ++k) {
    const double last = static_cast<double>(space_.knobs()[k].values.size() - 1);
    spans[k] = static_cast<int32_t>(std::ceil(radius * last - 1e-9));
    if (last >= 1) spans[k] = std::max(spans[k], 1);
  }
  auto inside = [&](const Config& config, const Config& centre) {
    for (size_t k = 0; k < knobs; ++k)
      if (std::abs(config[k] - centre[k]) > spans[k]) return false;
    return true;
  };
  const size_t wanted = static_cast<size_t>(options_.candidates);
  std::vector<Config> candidates;
  std::unordered_set<uint64_t> seen;
  if (const std::vector<uint64_t>* list = space_.valid_list()) {
    // A table of measured rows: random index boxes would almost never hit a row, so keep the
    // rows inside some box and draw among them.
    for (uint64_t index : *list) {
      if (exclude.count(index)) continue;
      Config config = space_.FromFlatIndex(index);
      const bool near =
          centres.empty() || std::any_of(centres.begin(), centres.end(),
                                         [&](const Config& c) { return inside(config, c); });
      if (near) candidates.push_back(std::move(config));
    }
    // A partial Fisher-Yates shuffle keeps a uniform draw of `wanted` rows, in list order.
    if (candidates.size() > wanted) {
      for (size_t i = 0; i < wanted; ++i)
        std::swap(candidates[i],
                  candidates[static_cast<size_t>(rng_.UniformInt(
                      static_cast<int64_t>(i), static_cast<int64_t>(candidates.size()) - 1))]);
      candidates.resize(wanted);
    }
    return candidates;
  }
  const size_t max_draws = 20 * wanted;
  for (size_t draw = 0; draw < max_draws && candidates.size() < wanted; ++draw) {
    Config config;
    if (centres.empty()) {
      std::optional<Config> sampled = space_.SampleValid(rng_, 100);
      if (!sampled) continue;
      config = std::move(*sampled);
    } else {
      const Config& centre = centres[draw % centres.size()];
      config.resize(knobs);
      for (size_t k = 0; k < knobs; ++k) {
        const int32_t top = static_cast<int32_t>(space_.knobs()[k].values.size()) - 1;
        config[k] = static_cast<int32_t>(rng_.UniformInt(std::max(0, centre[k] - spans[k]),
                                                         std::min(top, centre[k] + spans[k])));
      }
      if (!space_.IsValid(config)) continue;
    }
    const uint64_t index = space_.FlatIndex(config);
    if (exclude.count(index) || !seen.insert(index).second) continue;
    candidates.push_back(std::move(config));
  }
  return candidates;
}

std::vector<Config> NeighbourhoodSearch::FindMaximums(const CostModel& model,
                                                      const std::vector<Config>& centres,
                                                      double radius, int count,
                                                      const std::unordered_set<uint64_t>& exclude) {
  std::vector<Config> used_centres = centres;
  if (used_centres.size() > static_cast<size_t>(options_.centres))
    used_centres.resize(static_cast<size_t>(options_.centres));
  std::vector<Config> candidates = DrawCandidates(used_centres, radius, exclude);
  last_candidates_ = static_cast<int>(candidates.size());
  const std::vector<double> scores = model.Predict(candidates);
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: equal scores keep draw order, so runs stay reproducible.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<Config> best;
  for (size_t i = 0; i < order.size() && best.size() < static_cast<size_t>(std::max(count, 0)); ++i)
    best.push_back(std::move(candidates[order[i]]));
  return best;
}

}  // namespace tessel
