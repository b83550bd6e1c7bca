#include "tune/model_based_tuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "core/error.h"
#include "search/uniform_screen.h"

namespace tessel {

ModelBasedTuner::ModelBasedTuner(const Space& space, const Featurizer& featurizer,
                                 const Roles& roles, const ModelRoleOptions& options, Rng rng)
    : space_(space),
      options_(options),
      screen_first_plan_(roles.screen_first_plan),
      screen_rng_(rng.Fork("screen")),
      random_(space, rng.Fork("random")) {
  options_.Validate();
  design_ = MakeInitialDesign(roles.design, space, options_, rng);
  model_ = MakeCostModel(roles.model, featurizer, options_, rng);
  if (roles.estimates_gain) gain_model_ = MakeGainModel(featurizer, options_, rng);
  selector_ = MakeSelector(roles.selector, space, options_, options_.plan_size, rng);
  search_ = MakeModelSearch(roles.search, space, options_, selector_->needs_trajectory(), rng);
}

void ModelBasedTuner::SkipTwins(std::function<Config(const Config&)> canonical) {
  canonical_ = std::move(canonical);
  for (const Config& config : visited_) canonical_visited_.insert(canonical_(config));
}

bool ModelBasedTuner::IsTwin(const Config& config) const {
  return canonical_ && canonical_visited_.count(canonical_(config)) > 0;
}

std::vector<Config> ModelBasedTuner::NextBatch(int max_count) {
  // The refit and search that Update found due: done here, so that a run's last batch does
  // not pay for a plan nobody measures.
  if (replan_due_) {
    replan_due_ = false;
    Replan();
  }
  if (!pending_history_.features.empty()) {
    const auto start = std::chrono::steady_clock::now();
    model_ready_ |= model_->FitBaseModel(std::exchange(pending_history_, {}));
    fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A base model plans the first batch, from other tasks' measurements: it knows more
    // about the space than any design (bench/prior).
    if (measured_.empty()) {
      if (screen_first_plan_)
        PlanFromScreenedDraws();
      else
        PlanFromModel();
      initial_planned_ = true;
    }
  }
  if (!initial_planned_) {
    initial_planned_ = true;
    if (static_cast<int>(measured_.size()) >= options_.initial_size) {
      Replan();  // resumed with a design's worth of measurements
    } else if (measured_.empty()) {
      plan_ = design_->Plan(options_.initial_size, visited_);
      plan_next_ = 0;
    }
  }
  std::vector<Config> batch;
  while (static_cast<int>(batch.size()) < max_count) {
    Config next;
    if (plan_next_ < plan_.size()) {
      next = plan_[plan_next_++];
    } else {
      // A batch of an adaptive plan ends with its plan: the next comes from a refit and a search.
      if (selector_->plan_is_a_batch() && !plan_.empty() && !batch.empty()) break;
      // Before the first fit, or when a plan ran dry: uniform random, as AutoTVM does.
      std::vector<Config> drawn = random_.NextBatch(1);
      if (drawn.empty()) break;  // every valid configuration has been proposed
      next = std::move(drawn[0]);
    }
    if (!visited_.insert(next).second || IsTwin(next)) continue;
    if (canonical_) canonical_visited_.insert(canonical_(next));
    batch.push_back(std::move(next));
  }
  ReportPredictions(batch);
  return batch;
}

std::optional<double> ModelBasedTuner::ExpectedGain(int count) {
  if (!gain_model_) return std::nullopt;
  if (replan_due_) {
    replan_due_ = false;
    Replan();
  }
  if (!fitted_) return std::nullopt;
  std::vector<Config> next;
  for (size_t i = plan_next_; i < plan_.size() && static_cast<int>(next.size()) < count; ++i)
    if (!visited_.count(plan_[i]) && !IsTwin(plan_[i])) next.push_back(plan_[i]);
  if (next.empty()) return std::nullopt;
  if (gain_fitted_on_ != measured_.size()) {
    const auto start = std::chrono::steady_clock::now();
    gain_model_->Fit(measured_, values_);
    gain_fitted_on_ = measured_.size();
    fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const std::optional<FitnessEstimate> estimate = gain_model_->EstimateFitness(next);
  if (!estimate) return std::nullopt;
  // Expected improvement (Jones, Schonlau and Welch) over the best, fitness 1, with the
  // fitness of a configuration normal around the model's estimate. An improvement g in
  // fitness is a share 1 - 1/(1 + g) of the time: g to first order near the best, and below 1
  // however large g is.
  double gain = 0;
  for (size_t i = 0; i < next.size(); ++i) {
    const double mean = estimate->mean[i] - 1;
    const double spread = estimate->spread[i];
    double improvement = std::max(0.0, mean);
    if (spread > 0) {
      const double z = mean / spread;
      const double density = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
      improvement = mean * 0.5 * std::erfc(-z / std::sqrt(2.0)) + spread * density;
    }
    gain = std::max(gain, improvement);
  }
  return 1 - 1 / (1 + gain);
}

void ModelBasedTuner::ReportPredictions(const std::vector<Config>& batch) {
  if (!model_ready_ || batch.empty()) return;
  // Predict is const and draws nothing: reporting leaves the choices as they were.
  const std::vector<double> scores = model_->Predict(batch);
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto position = static_cast<int64_t>(i);
    stats_.push_back({"predicted", position, scores[i], true});
    stats_.push_back({"fitted_on", position, static_cast<double>(fitted_on_), true});
  }
}

void ModelBasedTuner::Record(const Config& config, const Evaluation& result) {
  measured_.push_back(config);
  values_.push_back(result.ok() ? result.value : std::nan(""));
}

void ModelBasedTuner::Update(const std::vector<Config>& configs,
                             const std::vector<Evaluation>& results) {
  for (size_t i = 0; i < configs.size(); ++i) Record(configs[i], results[i]);
  since_fit_ += static_cast<int>(configs.size());
  // The first fit follows the initial design; plans are then refit every plan_size
  // measurements (AutoTVM), or after each plan when a plan is a batch (adaptive sampling).
  const bool due = fitted_ ? since_fit_ >= options_.plan_size
                           : static_cast<int>(measured_.size()) >= options_.initial_size;
  const bool plan_done =
      selector_->plan_is_a_batch() && plan_next_ >= plan_.size() && !plan_.empty();
  if (due || plan_done) replan_due_ = true;
}

void ModelBasedTuner::Resume(const std::vector<Config>& configs,
                             const std::vector<Evaluation>& results) {
  TESSEL_CHECK(!initial_planned_) << "resumed after tuning started";
  for (size_t i = 0; i < configs.size(); ++i) {
    if (!visited_.insert(configs[i]).second) continue;
    if (canonical_) canonical_visited_.insert(canonical_(configs[i]));
    Record(configs[i], results[i]);
  }
}

bool ModelBasedTuner::WarmStart(FeatureRows history) {
  TESSEL_CHECK(history.features.size() == history.fitness.size()) << "one fitness per row";
  if (history.features.empty()) return false;
  pending_history_ = std::move(history);
  return true;
}

void ModelBasedTuner::Replan() {
  since_fit_ = 0;
  fitted_ = true;
  const auto start = std::chrono::steady_clock::now();
  model_->Fit(measured_, values_);
  model_ready_ = true;
  fitted_on_ = static_cast<int>(measured_.size());
  fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PlanFromModel();
}

void ModelBasedTuner::PlanFromModel() {
  Proposal proposal = search_->Search(*model_, {measured_, values_}, options_.plan_size, visited_);
  proposal.round.measured = static_cast<int>(measured_.size());
  plan_ = selector_->Select(proposal, *model_, visited_, random_);
  plan_next_ = 0;
  proposal.round.planned = static_cast<int>(plan_.size());
  rounds_.push_back(proposal.round);
  for (TunerStat& stat : proposal.stats) stats_.push_back(std::move(stat));
}

void ModelBasedTuner::PlanFromScreenedDraws() {
  ScreenResult screened = ScreenUniformDraws(space_, *model_, kScreenedDraws, options_.plan_size,
                                             visited_, screen_rng_);
  plan_ = std::move(screened.best);
  plan_next_ = 0;
  SearchRound round;
  round.steps = screened.scored;
  round.planned = static_cast<int>(plan_.size());
  rounds_.push_back(round);
}

}  // namespace tessel
