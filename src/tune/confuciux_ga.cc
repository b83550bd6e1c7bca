#include "tune/confuciux_ga.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace tessel {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr int kTriesPerIndividual = 3;  // ga_confx.py mutation: three tries per individual
// Generations in a row that may breed only known configurations before the GA gives up.
constexpr int kMaxIdleGenerations = 1000;

// True when the knob's values are the integers first, first + 1, ..., in order.
bool ConsecutiveIntegers(const Knob& knob) {
  for (size_t i = 0; i < knob.values.size(); ++i) {
    const int64_t* value = std::get_if<int64_t>(&knob.values[i]);
    const int64_t* first = std::get_if<int64_t>(&knob.values[0]);
    if (value == nullptr || *value != *first + static_cast<int64_t>(i)) return false;
  }
  return true;
}

}  // namespace

void ConfuciuxGa::Options::Validate() const {
  if (population < 1) throw ConfigError("the ConfuciuX GA's population must be at least 1");
  if (parents < 1 || parents > population)
    throw ConfigError("the ConfuciuX GA's parents must be between 1 and its population");
  if (!(alpha >= 0)) throw ConfigError("the ConfuciuX GA's alpha must not be negative");
  if (!(crossover >= 0 && crossover <= 1))
    throw ConfigError("the ConfuciuX GA's crossover must be in [0, 1]");
}

ConfuciuxGa::ConfuciuxGa(const Space& space, const DecisionSteps& steps, const Options& options,
                         Rng rng, const Config& seed, const Evaluation& seed_result,
                         KnownEvaluations known)
    : space_(space),
      steps_(steps),
      options_(options),
      rng_(std::move(rng)),
      known_(std::move(known)) {
  options_.Validate();
  CheckDecisionSteps(steps_, space_);
  for (const Knob& knob : space_.knobs()) {
    const int64_t count = static_cast<int64_t>(knob.values.size());
    const int64_t bottom = ConsecutiveIntegers(knob) ? std::get<int64_t>(knob.values[0]) : 1;
    genes_.push_back({bottom, bottom + count - 1});
  }
  known_.Add(seed, seed_result);
  Individual first{seed, 0, 0, false};
  Score(first, seed_result);
  population_.assign(static_cast<size_t>(options_.population), first);
}

void ConfuciuxGa::Score(Individual& individual, const Evaluation& evaluation) const {
  individual.constraint = TotalConstraint(steps_, evaluation);
  const bool feasible =
      evaluation.ok() && std::isfinite(evaluation.value) && individual.constraint <= steps_.budget;
  individual.fitness = feasible ? -evaluation.value : -kInfinity;
  individual.scored = true;
}

void ConfuciuxGa::ScoreKnown() {
  for (Individual& individual : population_) {
    if (individual.scored) continue;
    if (const Evaluation* known = known_.Find(individual.config)) {
      Score(individual, *known);
    } else if (!space_.IsValid(individual.config)) {
      individual = {individual.config, -kInfinity, kInfinity, true};
    }
  }
}

void ConfuciuxGa::Select() {
  std::stable_sort(population_.begin(), population_.end(),
                   [](const Individual& a, const Individual& b) { return a.fitness > b.fitness; });
}

bool ConfuciuxGa::MutateOnce(Config& config, double budget_left) {
  const bool budget_aware = steps_.step_constraint && std::isfinite(steps_.budget);
  const int64_t knobs = static_cast<int64_t>(steps_.steps.front().knobs.size());
  const int64_t steps = static_cast<int64_t>(steps_.steps.size());
  bool kept = false;
  for (int attempt = 0; attempt < kTriesPerIndividual; ++attempt) {
    const size_t gene = static_cast<size_t>(rng_.UniformInt(0, knobs - 1));
    const size_t step = static_cast<size_t>(rng_.UniformInt(0, steps - 1));
    const size_t knob = steps_.steps[step].knobs[gene];
    const Gene& scale = genes_[knob];
    const double before = budget_aware ? steps_.step_constraint(step, config) : 0;
    const double half_range = static_cast<double>(std::max<int64_t>(1, scale.bound / 2));
    const double draw = -options_.alpha + 2 * options_.alpha * rng_.UniformReal();
    const int64_t moved = scale.bottom + config[knob] + static_cast<int64_t>(draw * half_range);
    const int32_t saved = config[knob];
    config[knob] =
        static_cast<int32_t>(std::clamp(moved, scale.bottom, scale.bound) - scale.bottom);
    if (budget_aware) {
      const double growth = steps_.step_constraint(step, config) - before;
      if (!(growth <= budget_left)) {  // NaN growth is undone too
        config[knob] = saved;
        continue;
      }
      budget_left -= growth;
    }
    kept = true;
  }
  return kept;
}

void ConfuciuxGa::Mutate(const std::vector<Individual>& parents) {
  const size_t count = population_.size();
  int attempts = 2 * static_cast<int>(count);
  for (size_t idx = 0; idx < count && attempts-- > 0;) {
    Individual& individual = population_[idx];
    // The budget left comes from the individual sorted to idx, not from the parent copied
    // there: ConfuciuX's bookkeeping (fitness_list[idx]), kept.
    const double budget_left = steps_.budget - individual.constraint;
    individual.config = parents[idx % parents.size()].config;
    if (MutateOnce(individual.config, budget_left)) ++idx;
  }
}

void ConfuciuxGa::Crossover() {
  const int64_t knobs = static_cast<int64_t>(steps_.steps.front().knobs.size());
  const int64_t steps = static_cast<int64_t>(steps_.steps.size());
  for (size_t idx = 1; idx < population_.size(); ++idx) {
    if (!(rng_.UniformReal() < options_.crossover)) continue;
    const size_t a = static_cast<size_t>(rng_.UniformInt(0, steps - 1));
    const size_t b = static_cast<size_t>(rng_.UniformInt(0, steps - 1));
    const size_t gene = static_cast<size_t>(rng_.UniformInt(0, knobs - 1));
    const size_t knob_a = steps_.steps[a].knobs[gene], knob_b = steps_.steps[b].knobs[gene];
    Config& config = population_[idx].config;
    const int64_t value_a = genes_[knob_a].bottom + config[knob_a];
    const int64_t value_b = genes_[knob_b].bottom + config[knob_b];
    // Swapped only when each knob holds the other's value.
    if (value_b < genes_[knob_a].bottom || value_b > genes_[knob_a].bound ||
        value_a < genes_[knob_b].bottom || value_a > genes_[knob_b].bound)
      continue;
    config[knob_a] = static_cast<int32_t>(value_b - genes_[knob_a].bottom);
    config[knob_b] = static_cast<int32_t>(value_a - genes_[knob_b].bottom);
  }
}

void ConfuciuxGa::Breed() {
  parents_ = std::max(1, std::min(options_.parents, options_.population - invalid_));
  Select();
  const std::vector<Individual> parents(population_.begin(), population_.begin() + parents_);
  Mutate(parents);
  Crossover();
  population_[0].config = parents[0].config;
  ++generations_;

  for (Individual& individual : population_) individual.scored = false;
  ScoreKnown();
  ConfigSet queued;
  for (const Individual& individual : population_)
    if (!individual.scored && queued.insert(individual.config).second)
      to_propose_.push_back(individual.config);
}

void ConfuciuxGa::FinishGeneration() {
  invalid_ = 0;
  for (const Individual& individual : population_) {
    TESSEL_CHECK(individual.scored) << "a generation finished before all its evaluations";
    if (individual.fitness == -kInfinity) ++invalid_;
  }
}

std::vector<Config> ConfuciuxGa::NextBatch(int max_count) {
  if (max_count < 1) return {};
  for (int idle = 0; to_propose_.empty(); ++idle) {
    TESSEL_CHECK(awaiting_ == 0) << "the GA was asked for more before its batch came back";
    if (idle == kMaxIdleGenerations) return {};
    if (generations_ > 0) FinishGeneration();
    Breed();
  }
  const size_t take = std::min(to_propose_.size(), static_cast<size_t>(max_count));
  std::vector<Config> batch(to_propose_.begin(), to_propose_.begin() + take);
  to_propose_.erase(to_propose_.begin(), to_propose_.begin() + take);
  awaiting_ += take;
  return batch;
}

void ConfuciuxGa::Update(const std::vector<Config>& configs,
                         const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
  awaiting_ -= std::min(awaiting_, configs.size());
  ScoreKnown();
}

void ConfuciuxGa::Resume(const std::vector<Config>& configs,
                         const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
  ScoreKnown();
}

}  // namespace tessel
