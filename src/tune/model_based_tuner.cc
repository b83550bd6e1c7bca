#include "tune/model_based_tuner.h"

#include <chrono>
#include <cmath>
#include <utility>

#include "core/error.h"

namespace tessel {

void ModelBasedTuner::Options::Validate() const {
  if (plan_size < 1) throw ConfigError("the plan size must be positive");
  if (!(epsilon >= 0 && epsilon <= 1)) throw ConfigError("epsilon must be in [0, 1]");
  annealing.Validate();
  model.Validate();
}

ModelBasedTuner::ModelBasedTuner(const Space& space, const Featurizer& featurizer,
                                 const Options& options, Rng rng)
    : space_(space),
      options_(options),
      rng_(std::move(rng)),
      random_(space, rng_.Fork("random")),
      model_(featurizer,
             [&] {
               XgbCostModel::Options model = options.model;
               model.seed = rng_.Fork("model").seed();
               return model;
             }()),
      annealing_(space, options.annealing, rng_.Fork("annealing")) {
  options_.Validate();
}

std::vector<Config> ModelBasedTuner::NextBatch(int max_count) {
  if (!pending_history_.features.empty()) {
    const auto start = std::chrono::steady_clock::now();
    model_.FitBaseModel(std::exchange(pending_history_, {}));
    fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (measured_.empty()) PlanFromModel();
  }
  std::vector<Config> batch;
  while (static_cast<int>(batch.size()) < max_count) {
    Config next;
    if (plan_next_ < plan_.size()) {
      next = plan_[plan_next_++];
    } else {
      // Before the first fit, or when a plan ran dry: uniform random, as AutoTVM does.
      std::vector<Config> drawn = random_.NextBatch(1);
      if (drawn.empty()) break;  // every valid configuration has been proposed
      next = std::move(drawn[0]);
    }
    if (visited_.insert(space_.FlatIndex(next)).second) batch.push_back(std::move(next));
  }
  return batch;
}

void ModelBasedTuner::Update(const std::vector<Config>& configs,
                             const std::vector<MeasureResult>& results) {
  for (size_t i = 0; i < configs.size(); ++i) {
    measured_.push_back(configs[i]);
    times_ms_.push_back(results[i].ok() ? results[i].time_ms : std::nan(""));
  }
  since_fit_ += static_cast<int>(configs.size());
  if (since_fit_ >= options_.plan_size) Replan();
}

bool ModelBasedTuner::WarmStart(FeatureRows history) {
  TESSEL_CHECK(history.features.size() == history.fitness.size()) << "one fitness per row";
  if (history.features.empty()) return false;
  pending_history_ = std::move(history);
  return true;
}

void ModelBasedTuner::Replan() {
  since_fit_ = 0;
  const auto start = std::chrono::steady_clock::now();
  model_.Fit(measured_, times_ms_);
  fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PlanFromModel();
}

void ModelBasedTuner::PlanFromModel() {
  plan_ = annealing_.FindMaximums(model_, options_.plan_size, visited_);
  plan_next_ = 0;
  // Epsilon-greedy: the tail of the plan goes to random unvisited configurations.
  const size_t greedy = static_cast<size_t>(std::ceil(options_.plan_size * (1 - options_.epsilon)));
  if (plan_.size() > greedy) plan_.resize(greedy);
  while (plan_.size() < static_cast<size_t>(options_.plan_size)) {
    std::vector<Config> drawn = random_.NextBatch(1);
    if (drawn.empty()) break;
    if (!visited_.count(space_.FlatIndex(drawn[0]))) plan_.push_back(std::move(drawn[0]));
  }
}

}  // namespace tessel
