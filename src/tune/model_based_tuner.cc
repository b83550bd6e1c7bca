#include "tune/model_based_tuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/error.h"

namespace tessel {

void ModelBasedTuner::Options::Validate() const {
  if (plan_size < 1) throw ConfigError("the plan size must be positive");
  if (initial_size < 1) throw ConfigError("the initial design needs at least one configuration");
  if (!(epsilon >= 0 && epsilon <= 1)) throw ConfigError("epsilon must be in [0, 1]");
  if (walkers < 1) throw ConfigError("the PPO search needs at least one walker");
  if (!(best_start_share >= 0 && best_start_share <= 1))
    throw ConfigError("best_start_share must be in [0, 1]");
  if (max_cluster_points < 1) throw ConfigError("max_cluster_points must be positive");
  annealing.Validate();
  model.Validate();
  ppo.Validate();
  sampling.Validate();
  bted.Validate();
  bao.Validate();
}

ModelBasedTuner::ModelBasedTuner(const Space& space, const Featurizer& featurizer,
                                 const Options& options, Rng rng)
    : space_(space),
      options_(options),
      rng_(std::move(rng)),
      random_(space, rng_.Fork("random")),
      annealing_(
          space,
          [&] {
            SimulatedAnnealing::Options annealing = options.annealing;
            annealing.record_trajectory = options.selection == Selection::kAdaptive;
            return annealing;
          }(),
          rng_.Fork("annealing")),
      sampler_(space, options.sampling, rng_.Fork("sampling")),
      starts_rng_(rng_.Fork("starts")),
      design_rng_(rng_.Fork("design")) {
  options_.Validate();
  if (options_.search == Search::kBao) {
    BootstrapEnsemble::Options ensemble;
    ensemble.members = options_.bao.members;
    ensemble.spread_weight = options_.bao.spread_weight;
    ensemble.model = options_.model;
    ensemble_ = std::make_unique<BootstrapEnsemble>(featurizer, ensemble, rng_.Fork("ensemble"));
    neighbourhood_ = std::make_unique<NeighbourhoodSearch>(space, options_.bao.search,
                                                           rng_.Fork("neighbourhood"));
    radius_.emplace(options_.bao.radius);
  } else {
    XgbCostModel::Options model = options_.model;
    model.seed = rng_.Fork("model").seed();
    single_model_ = std::make_unique<XgbCostModel>(featurizer, model);
  }
  if (options_.search == Search::kPpo)
    ppo_ = std::make_unique<PpoSearch>(space, options_.ppo, rng_.Fork("ppo"));
}

const CostModel& ModelBasedTuner::model() const {
  if (ensemble_) return *ensemble_;
  return *single_model_;
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
    const FeatureRows history = std::exchange(pending_history_, {});
    if (ensemble_)
      ensemble_->FitBaseModel(history);
    else
      single_model_->FitBaseModel(history);
    fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A BTED design, when asked for, takes precedence over the base model's plan.
    if (measured_.empty() && options_.init != Init::kBted) {
      PlanFromModel();
      initial_planned_ = true;
    }
  }
  if (!initial_planned_) {
    initial_planned_ = true;
    if (static_cast<int>(measured_.size()) >= options_.initial_size) {
      Replan();  // resumed with a design's worth of measurements
    } else if (options_.init == Init::kBted && measured_.empty()) {
      plan_ = BtedDesign(space_, options_.initial_size, visited_, options_.bted, design_rng_);
      plan_next_ = 0;
    }
  }
  std::vector<Config> batch;
  while (static_cast<int>(batch.size()) < max_count) {
    Config next;
    if (plan_next_ < plan_.size()) {
      next = plan_[plan_next_++];
    } else {
      // An adaptive batch ends with its plan: the next one comes from a refit and a search.
      if (options_.selection == Selection::kAdaptive && !plan_.empty() && !batch.empty()) break;
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
                             const std::vector<Evaluation>& results) {
  for (size_t i = 0; i < configs.size(); ++i) {
    measured_.push_back(configs[i]);
    times_ms_.push_back(results[i].ok() ? results[i].value : std::nan(""));
  }
  since_fit_ += static_cast<int>(configs.size());
  // The first fit follows the initial design; greedy plans are then refit every plan_size
  // measurements (AutoTVM); adaptive batches vary in size, and each is followed by a refit
  // and a new search.
  const bool due = fitted_ ? since_fit_ >= options_.plan_size
                           : static_cast<int>(measured_.size()) >= options_.initial_size;
  const bool plan_done =
      options_.selection == Selection::kAdaptive && plan_next_ >= plan_.size() && !plan_.empty();
  if (due || plan_done) replan_due_ = true;
}

void ModelBasedTuner::Resume(const std::vector<Config>& configs,
                             const std::vector<Evaluation>& results) {
  TESSEL_CHECK(!initial_planned_) << "resumed after tuning started";
  for (size_t i = 0; i < configs.size(); ++i) {
    if (!visited_.insert(space_.FlatIndex(configs[i])).second) continue;
    measured_.push_back(configs[i]);
    times_ms_.push_back(results[i].ok() ? results[i].value : std::nan(""));
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
  if (ensemble_)
    ensemble_->Fit(measured_, times_ms_);
  else
    single_model_->Fit(measured_, times_ms_);
  fit_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PlanFromModel();
}

double ModelBasedTuner::BestTimeMs() const {
  double best = std::nan("");
  for (double time : times_ms_)
    if (!std::isnan(time) && !(time >= best)) best = time;
  return best;
}

std::vector<Config> ModelBasedTuner::BestMeasured(size_t count) const {
  std::vector<size_t> order;
  for (size_t i = 0; i < measured_.size(); ++i)
    if (!std::isnan(times_ms_[i])) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return times_ms_[a] < times_ms_[b] || (times_ms_[a] == times_ms_[b] && a < b);
  });
  std::vector<Config> best;
  for (size_t i = 0; i < order.size() && best.size() < count; ++i)
    best.push_back(measured_[order[i]]);
  return best;
}

std::vector<Config> ModelBasedTuner::PpoStarts() {
  // The best measured configurations first, then random valid ones: exploit and explore.
  std::vector<Config> starts =
      BestMeasured(static_cast<size_t>(options_.walkers * options_.best_start_share));
  int misses = 0;  // SampleValid gives up only on spaces with almost nothing valid
  while (static_cast<int>(starts.size()) < options_.walkers && misses < 4) {
    std::optional<Config> drawn = space_.SampleValid(starts_rng_);
    if (drawn)
      starts.push_back(std::move(*drawn));
    else
      ++misses;
  }
  return starts;
}

std::pair<std::vector<Config>, std::vector<double>> ModelBasedTuner::ClusterPoints(
    const std::vector<Config>& trajectory) const {
  const AdaptiveSampler::Options& sampling = options_.sampling;
  const bool need_scores =
      sampling.top_share < 1 || sampling.pick == AdaptiveSampler::Options::Pick::kBestMember;
  // An even stride over the trajectory keeps k-means' input bounded.
  const size_t limit = static_cast<size_t>(options_.max_cluster_points);
  auto stride = [&](std::vector<size_t> indices) {
    if (indices.size() <= limit) return indices;
    std::vector<size_t> kept(limit);
    for (size_t i = 0; i < limit; ++i) kept[i] = indices[i * indices.size() / limit];
    return kept;
  };
  std::vector<size_t> indices(trajectory.size());
  std::iota(indices.begin(), indices.end(), 0);
  std::vector<double> scores;
  if (need_scores && !trajectory.empty()) {
    scores = model().Predict(trajectory);
    if (sampling.top_share < 1) {
      // Only the best-predicted share, and never fewer points than the largest k tried.
      const size_t keep = std::min(
          indices.size(),
          std::max<size_t>(std::ceil(sampling.top_share * indices.size()), sampling.k_max));
      // Stable, so that equal scores keep trajectory order and runs stay reproducible.
      std::stable_sort(indices.begin(), indices.end(),
                       [&](size_t a, size_t b) { return scores[a] > scores[b]; });
      indices.resize(keep);
      std::sort(indices.begin(), indices.end());
    }
  } else if (trajectory.size() <= limit) {
    return {trajectory, {}};
  }
  indices = stride(std::move(indices));
  std::vector<Config> points;
  std::vector<double> point_scores;
  points.reserve(indices.size());
  for (size_t i : indices) {
    points.push_back(trajectory[i]);
    if (!scores.empty()) point_scores.push_back(scores[i]);
  }
  return {std::move(points), std::move(point_scores)};
}

void ModelBasedTuner::PlanFromModel() {
  std::vector<Config> best;
  std::vector<Config> trajectory;
  SearchRound round;
  round.measured = static_cast<int>(measured_.size());
  if (ppo_) {
    PpoSearch::Result result = ppo_->Search(model(), PpoStarts(), options_.plan_size, visited_);
    best = std::move(result.best);
    trajectory = std::move(result.trajectory);
    round.steps = result.steps;
  } else if (neighbourhood_) {
    // The radius rule judges the batch measured since the last plan.
    const double best_now = BestTimeMs();
    if (!rounds_.empty()) radius_->Update(best_at_last_plan_ms_, best_now);
    best_at_last_plan_ms_ = best_now;
    best = neighbourhood_->FindMaximums(
        model(), BestMeasured(static_cast<size_t>(options_.bao.search.centres)), radius_->radius(),
        options_.plan_size, visited_);
    round.steps = neighbourhood_->last_candidates();
    round.radius = radius_->radius();
  } else {
    best = annealing_.FindMaximums(model(), options_.plan_size, visited_);
    trajectory = annealing_.last_trajectory();
    round.steps = annealing_.last_iterations();
  }
  plan_next_ = 0;
  if (options_.selection == Selection::kAdaptive) {
    const auto [points, scores] = ClusterPoints(trajectory);
    plan_ = sampler_.Select(points, visited_, scores);
    if (plan_.empty()) plan_ = std::move(best);  // nothing new in the trajectory's clusters
    round.planned = static_cast<int>(plan_.size());
    rounds_.push_back(round);
    return;
  }
  plan_ = std::move(best);
  // Epsilon-greedy: the tail of the plan goes to random unvisited configurations.
  const size_t greedy = static_cast<size_t>(std::ceil(options_.plan_size * (1 - options_.epsilon)));
  if (plan_.size() > greedy) plan_.resize(greedy);
  while (plan_.size() < static_cast<size_t>(options_.plan_size)) {
    std::vector<Config> drawn = random_.NextBatch(1);
    if (drawn.empty()) break;
    if (!visited_.count(space_.FlatIndex(drawn[0]))) plan_.push_back(std::move(drawn[0]));
  }
  round.planned = static_cast<int>(plan_.size());
  rounds_.push_back(round);
}

}  // namespace tessel
