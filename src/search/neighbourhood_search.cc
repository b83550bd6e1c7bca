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
  if (anneal_chains < 0) throw ConfigError("BAO's annealing chains must be 0 (none) or more");
  if (min_knobs_apart < 0)
    throw ConfigError("--bao apart (knobs each pick differs on) must be 0 or more");
  if (centres > 10000 || candidates > 1000000 || anneal_chains > 10000)
    throw ConfigError("BAO takes at most 10000 centres, 1000000 candidates and 10000 chains");
}

namespace {

int KnobsApart(const Config& a, const Config& b) {
  int apart = 0;
  for (size_t k = 0; k < a.size(); ++k) apart += a[k] != b[k];
  return apart;
}

SimulatedAnnealing::Options NeighbourhoodAnnealing() {
  SimulatedAnnealing::Options options;  // AutoTVM's schedule; the chains are BAO's draws
  options.persistent = false;
  return options;
}

}  // namespace

NeighbourhoodSearch::NeighbourhoodSearch(const Space& space, const Options& options, Rng rng)
    : space_(space),
      options_(options),
      rng_(std::move(rng)),
      annealing_(space, NeighbourhoodAnnealing(), rng_.Fork("annealing")) {
  options_.Validate();
}

SimulatedAnnealing::Box NeighbourhoodSearch::WholeSpace() const {
  SimulatedAnnealing::Box box;
  for (const Knob& knob : space_.knobs()) {
    box.low.push_back(0);
    box.high.push_back(static_cast<int32_t>(knob.values.size()) - 1);
  }
  return box;
}

NeighbourhoodSearch::Draws NeighbourhoodSearch::DrawCandidates(const std::vector<Config>& centres,
                                                               double radius,
                                                               const ConfigSet& exclude) {
  const size_t knobs = space_.num_knobs();
  std::vector<int32_t> spans(knobs);
  for (size_t k = 0; k < knobs; ++k) {
    const double last = static_cast<double>(space_.knobs()[k].values.size() - 1);
    spans[k] = static_cast<int32_t>(std::ceil(radius * last - 1e-9));
    if (last >= 1) spans[k] = std::max(spans[k], 1);
  }
  Draws draws;
  for (const Config& centre : centres) {
    SimulatedAnnealing::Box box;
    for (size_t k = 0; k < knobs; ++k) {
      const int32_t top = static_cast<int32_t>(space_.knobs()[k].values.size()) - 1;
      box.low.push_back(std::max(0, centre[k] - spans[k]));
      box.high.push_back(std::min(top, centre[k] + spans[k]));
    }
    draws.boxes.push_back(std::move(box));
  }
  auto box_holding = [&](const Config& config) {
    for (size_t c = 0; c < draws.boxes.size(); ++c)
      if (draws.boxes[c].Contains(config)) return static_cast<int>(c);
    return -1;
  };
  const size_t wanted = static_cast<size_t>(options_.candidates);
  if (const std::vector<uint64_t>* list = space_.valid_list()) {
    // A table of measured rows: random index boxes would almost never hit a row, so keep the
    // rows inside some box and draw among them.
    for (uint64_t index : *list) {
      Config config = space_.FromFlatIndex(index);
      if (exclude.count(config)) continue;
      const int box = box_holding(config);
      if (centres.empty() || box >= 0) {
        draws.configs.push_back(std::move(config));
        draws.box_of.push_back(box);
      }
    }
    // A partial Fisher-Yates shuffle keeps a uniform draw of `wanted` rows, in list order.
    if (draws.configs.size() > wanted) {
      for (size_t i = 0; i < wanted; ++i) {
        const size_t j = static_cast<size_t>(rng_.UniformInt(
            static_cast<int64_t>(i), static_cast<int64_t>(draws.configs.size()) - 1));
        std::swap(draws.configs[i], draws.configs[j]);
        std::swap(draws.box_of[i], draws.box_of[j]);
      }
      draws.configs.resize(wanted);
      draws.box_of.resize(wanted);
    }
    return draws;
  }
  ConfigSet seen;
  const size_t max_draws = 20 * wanted;
  for (size_t draw = 0; draw < max_draws && draws.configs.size() < wanted; ++draw) {
    Config config;
    int box = -1;
    if (centres.empty()) {
      std::optional<Config> sampled = space_.SampleValid(rng_, 100);
      if (!sampled) continue;
      config = std::move(*sampled);
    } else {
      box = static_cast<int>(draw % centres.size());
      const SimulatedAnnealing::Box& bounds = draws.boxes[static_cast<size_t>(box)];
      config.resize(knobs);
      for (size_t k = 0; k < knobs; ++k)
        config[k] = static_cast<int32_t>(rng_.UniformInt(bounds.low[k], bounds.high[k]));
      if (!space_.IsValid(config)) continue;
    }
    if (exclude.count(config) || !seen.insert(config).second) continue;
    draws.configs.push_back(std::move(config));
    draws.box_of.push_back(box);
  }
  return draws;
}

std::vector<Config> NeighbourhoodSearch::FindMaximums(const CostModel& model,
                                                      const std::vector<Config>& centres,
                                                      double radius, int count,
                                                      const ConfigSet& exclude) {
  std::vector<Config> used_centres = centres;
  if (used_centres.size() > static_cast<size_t>(options_.centres))
    used_centres.resize(static_cast<size_t>(options_.centres));
  Draws draws = DrawCandidates(used_centres, radius, exclude);
  last_candidates_ = static_cast<int>(draws.configs.size());
  const std::vector<double> scores = model.Predict(draws.configs);
  std::vector<size_t> order(draws.configs.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: equal scores keep draw order, so runs stay reproducible.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const size_t wanted = static_cast<size_t>(std::max(count, 0));
  if (options_.anneal_chains > 0 && wanted > 0) {
    // The best draws start the chains; each stays in the neighbourhood it was drawn from.
    std::vector<Config> starts;
    std::vector<SimulatedAnnealing::Box> boxes;
    const SimulatedAnnealing::Box whole = WholeSpace();
    for (size_t i = 0;
         i < order.size() && starts.size() < static_cast<size_t>(options_.anneal_chains); ++i) {
      starts.push_back(draws.configs[order[i]]);
      const int box = draws.box_of[order[i]];
      boxes.push_back(box >= 0 ? draws.boxes[static_cast<size_t>(box)] : whole);
    }
    // The starts are the best draws, so the annealing's answer ranks them too.
    return annealing_.FindMaximumsWithin(model, std::move(starts), boxes, count, exclude);
  }
  std::vector<Config> best;
  std::vector<size_t> skipped;
  for (size_t i = 0; i < order.size() && best.size() < wanted; ++i) {
    const Config& draw = draws.configs[order[i]];
    const bool apart = std::all_of(best.begin(), best.end(), [&](const Config& pick) {
      return KnobsApart(draw, pick) >= options_.min_knobs_apart;
    });
    if (apart)
      best.push_back(std::move(draws.configs[order[i]]));
    else
      skipped.push_back(order[i]);
  }
  for (size_t i = 0; i < skipped.size() && best.size() < wanted; ++i)
    best.push_back(std::move(draws.configs[skipped[i]]));
  return best;
}

}  // namespace tessel
