#include "search/simulated_annealing.h"

#include <cmath>

#include "core/error.h"
#include "core/stop_request.h"
#include "search/top_candidates.h"

namespace tessel {

void SimulatedAnnealing::Options::Validate() const {
  if (parallel_size < 1) throw ConfigError("simulated annealing needs at least one chain");
  if (iterations < 1) throw ConfigError("simulated annealing needs at least one iteration");
  if (early_stop < 1) throw ConfigError("simulated annealing's early stop must be positive");
  if (!(temperature_start >= temperature_end && temperature_end >= 0))
    throw ConfigError("simulated annealing's temperature must fall from start to end >= 0");
}

SimulatedAnnealing::SimulatedAnnealing(const Space& space, const Options& options, Rng rng)
    : space_(space), options_(options), rng_(std::move(rng)) {
  options_.Validate();
}

Config SimulatedAnnealing::RandomWalk(const Config& config, const Box* box) {
  if (space_.valid_list()) {
    // A table of rows: a random knob change almost never lands on a row, so the move goes to
    // one of the nearest rows instead.
    std::vector<Config> near = space_.Neighbours(config);
    if (box) std::erase_if(near, [&](const Config& row) { return !box->Contains(row); });
    if (near.empty()) return config;
    return near[rng_.UniformInt(0, static_cast<int64_t>(near.size()) - 1)];
  }
  // A few tries, since a random change can break a constraint; otherwise stay put.
  for (int attempt = 0; attempt < 8; ++attempt) {
    Config next = config;
    const size_t knob = static_cast<size_t>(rng_.UniformInt(0, space_.num_knobs() - 1));
    const int64_t low = box ? box->low[knob] : 0;
    const int64_t high =
        box ? box->high[knob] : static_cast<int64_t>(space_.knobs()[knob].values.size()) - 1;
    if (high - low < 1) continue;
    int64_t value = rng_.UniformInt(low, high - 1);
    if (value >= config[knob]) ++value;  // any value but the current one
    next[knob] = static_cast<int32_t>(value);
    if (space_.IsValid(next)) return next;
  }
  return config;
}

std::vector<Config> SimulatedAnnealing::FindMaximums(const CostModel& model, int count,
                                                     const ConfigSet& exclude) {
  TESSEL_CHECK(count >= 0) << "negative count";
  if (!options_.persistent) chains_.clear();
  while (static_cast<int>(chains_.size()) < options_.parallel_size) {
    std::optional<Config> start = space_.SampleValid(rng_);
    if (!start) break;  // no valid configuration can be found: nothing to search
    chains_.push_back(std::move(*start));
  }
  return Anneal(model, chains_, nullptr, count, exclude);
}

std::vector<Config> SimulatedAnnealing::FindMaximumsWithin(const CostModel& model,
                                                           std::vector<Config> starts,
                                                           const std::vector<Box>& boxes, int count,
                                                           const ConfigSet& exclude) {
  TESSEL_CHECK(count >= 0) << "negative count";
  TESSEL_CHECK(starts.size() == boxes.size()) << "one box per start";
  for (size_t i = 0; i < starts.size(); ++i)
    TESSEL_CHECK(boxes[i].Contains(starts[i])) << "a start outside its box";
  return Anneal(model, starts, &boxes, count, exclude);
}

std::vector<Config> SimulatedAnnealing::Anneal(const CostModel& model, std::vector<Config>& chains,
                                               const std::vector<Box>* boxes, int count,
                                               const ConfigSet& exclude) {
  last_iterations_ = 0;
  trajectory_.clear();
  if (chains.empty() || count == 0) return {};
  if (options_.record_trajectory) trajectory_ = chains;

  TopCandidates top(count, exclude);
  bool improved = false;
  auto offer = [&](double score, const Config& config) { improved |= top.Offer(score, config); };

  std::vector<double> scores = model.Predict(chains);
  for (size_t i = 0; i < chains.size(); ++i) offer(scores[i], chains[i]);
  const int iterations = options_.iterations;
  const double cooling = (options_.temperature_start - options_.temperature_end) / iterations;
  double temperature = options_.temperature_start;
  int last_improvement = 0;
  int k = 0;
  // A stop request (Ctrl-C) ends the search with what it has: the run is ending.
  for (; k < iterations && k < last_improvement + options_.early_stop && !StopRequested(); ++k) {
    std::vector<Config> proposals;
    proposals.reserve(chains.size());
    for (size_t i = 0; i < chains.size(); ++i)
      proposals.push_back(RandomWalk(chains[i], boxes ? &(*boxes)[i] : nullptr));
    const std::vector<double> proposal_scores = model.Predict(proposals);
    improved = false;
    for (size_t i = 0; i < chains.size(); ++i) {
      // AutoTVM's acceptance: exp(min((new - old) / (t + 1e-5), 1)).
      const double gain = (proposal_scores[i] - scores[i]) / (temperature + 1e-5);
      if (rng_.UniformReal() < std::exp(std::min(gain, 1.0))) {
        chains[i] = proposals[i];
        scores[i] = proposal_scores[i];
      }
      offer(proposal_scores[i], proposals[i]);
    }
    if (improved) last_improvement = k;
    if (options_.record_trajectory)
      trajectory_.insert(trajectory_.end(), chains.begin(), chains.end());
    temperature -= cooling;
  }
  last_iterations_ = k;

  return top.Best();
}

}  // namespace tessel
