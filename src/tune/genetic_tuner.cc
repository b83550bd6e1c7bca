#include "tune/genetic_tuner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/key_values.h"
#include "tune/measured_history.h"

namespace tessel {
namespace {
// Attempts at breeding a valid child that was never proposed, before a random draw stands in.
constexpr int kBreedAttempts = 50;
}  // namespace

void GeneticTuner::Options::Validate() const {
  if (population < 2) throw ConfigError("the GA's population must be at least 2");
  if (population > 100000) throw ConfigError("the GA's population is at most 100000");
  if (parents < 2 || parents > population)
    throw ConfigError("the GA's parents must be between 2 and its population");
  if (!(mutation >= 0 && mutation <= 1)) throw ConfigError("the GA's mutation must be in [0, 1]");
}

GeneticTuner::Options GeneticTuner::Options::Parse(std::string_view spec) {
  Options options;
  for (const auto& [key, value] : SplitKeyValues(spec, "--ga")) {
    if (key == "population") {
      options.population = static_cast<int>(ParseOptionNumber(value, "--ga", key, true));
    } else if (key == "parents") {
      options.parents = static_cast<int>(ParseOptionNumber(value, "--ga", key, true));
    } else if (key == "mutation") {
      options.mutation = ParseOptionNumber(value, "--ga", key, false);
    } else {
      throw ConfigError("--ga has no option '" + key +
                        "'; its options are population, parents, "
                        "mutation");
    }
  }
  options.Validate();
  return options;
}

std::string GeneticTuner::Options::ToString() const {
  char text[96];
  std::snprintf(text, sizeof(text), "population=%d,parents=%d,mutation=%g", population, parents,
                mutation);
  return text;
}

GeneticTuner::GeneticTuner(const Space& space, const Options& options, Rng rng)
    : space_(space),
      options_(options),
      rng_(rng.Fork("genetic")),
      random_(space, rng.Fork("random")) {
  options_.Validate();
}

std::vector<Config> GeneticTuner::NextBatch(int max_count) {
  if (pending_.empty()) Breed();
  std::vector<Config> batch;
  while (static_cast<int>(batch.size()) < max_count && !pending_.empty()) {
    batch.push_back(std::move(pending_.back()));
    pending_.pop_back();
  }
  return batch;
}

void GeneticTuner::Update(const std::vector<Config>& configs,
                          const std::vector<Evaluation>& results) {
  for (size_t i = 0; i < configs.size(); ++i) {
    evaluated_.push_back(configs[i]);
    values_.push_back(results[i].ok() ? results[i].value : std::nan(""));
  }
}

void GeneticTuner::Resume(const std::vector<Config>& configs,
                          const std::vector<Evaluation>& results) {
  for (const Config& config : configs) proposed_.insert(config);
  random_.Resume(configs, results);
  Update(configs, results);
}

Config GeneticTuner::Child(const std::vector<Config>& parents) {
  const Config& a = parents[rng_.UniformInt(0, static_cast<int64_t>(parents.size()) - 1)];
  const Config& b = parents[rng_.UniformInt(0, static_cast<int64_t>(parents.size()) - 1)];
  Config child(a.size());
  for (size_t knob = 0; knob < a.size(); ++knob) {
    child[knob] = rng_.UniformReal() < 0.5 ? a[knob] : b[knob];
    if (rng_.UniformReal() < options_.mutation)
      child[knob] = static_cast<int32_t>(
          rng_.UniformInt(0, static_cast<int64_t>(space_.knobs()[knob].values.size()) - 1));
  }
  return child;
}

void GeneticTuner::Breed() {
  // The parents: the best evaluated so far (elitism: the best ever stay among them).
  const std::vector<Config> parents =
      MeasuredHistory{evaluated_, values_}.BestConfigs(static_cast<size_t>(options_.parents));

  std::vector<Config> children;
  while (static_cast<int>(children.size()) < options_.population) {
    bool bred = false;
    // Until two configurations worked there is nothing to breed: the generation is random.
    for (int attempt = 0; parents.size() >= 2 && attempt < kBreedAttempts && !bred; ++attempt) {
      Config child = Child(parents);
      if (space_.IsValid(child) && proposed_.insert(child).second) {
        children.push_back(std::move(child));
        bred = true;
      }
    }
    if (bred) continue;
    std::vector<Config> drawn = random_.NextBatch(1);
    if (drawn.empty()) break;  // every valid configuration has been proposed
    if (proposed_.insert(drawn[0]).second) children.push_back(std::move(drawn[0]));
  }
  // NextBatch takes from the back: keep breeding order.
  pending_.assign(children.rbegin(), children.rend());
}

}  // namespace tessel
