#include "tune/model_roles.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/error.h"

namespace tessel {

void ModelRoleOptions::Validate() const {
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

namespace {

// ---- Initial designs ----

// Uniform random draws, made one by one by the tuner (AutoTVM's first plan).
class RandomDesign : public InitialDesign {
 public:
  std::vector<Config> Plan(int, const ConfigSet&) override { return {}; }
};

// BTED: transductive experimental design on random subsets of the space, then on the union
// of their picks (design/ted.h).
class BtedInitialDesign : public InitialDesign {
 public:
  BtedInitialDesign(const Space& space, const BtedOptions& options, Rng rng)
      : space_(space), options_(options), rng_(std::move(rng)) {}
  std::vector<Config> Plan(int count, const ConfigSet& visited) override {
    return BtedDesign(space_, count, visited, options_, rng_);
  }

 private:
  const Space& space_;
  BtedOptions options_;
  Rng rng_;
};

// ---- Searches over the model ----

// AutoTVM's parallel simulated annealing chains, persistent between searches.
class AnnealingSearch : public ModelSearch {
 public:
  AnnealingSearch(const Space& space, SimulatedAnnealing::Options options, Rng rng)
      : annealing_(space, options, std::move(rng)) {}
  Proposal Search(const CostModel& model, const MeasuredHistory&, int count,
                  const ConfigSet& visited) override {
    Proposal proposal;
    proposal.best = annealing_.FindMaximums(model, count, visited);
    proposal.trajectory = annealing_.last_trajectory();
    proposal.round.steps = annealing_.last_iterations();
    return proposal;
  }

 private:
  SimulatedAnnealing annealing_;
};

// RELEASE's PPO agent: walkers that step every knob down, up or not, rewarded by the model,
// keeping their weights between searches. A share of them starts at the best measured
// configurations (exploit), the rest at random valid ones (explore).
class PpoWalkers : public ModelSearch {
 public:
  PpoWalkers(const Space& space, const ModelRoleOptions& options, const Rng& rng)
      : space_(space),
        walkers_(options.walkers),
        best_start_share_(options.best_start_share),
        ppo_(space, options.ppo, rng.Fork("ppo")),
        starts_rng_(rng.Fork("starts")) {}
  Proposal Search(const CostModel& model, const MeasuredHistory& history, int count,
                  const ConfigSet& visited) override {
    std::vector<Config> starts =
        history.BestConfigs(static_cast<size_t>(walkers_ * best_start_share_));
    int misses = 0;  // SampleValid gives up only on spaces with almost nothing valid
    while (static_cast<int>(starts.size()) < walkers_ && misses < 4) {
      std::optional<Config> drawn = space_.SampleValid(starts_rng_);
      if (drawn)
        starts.push_back(std::move(*drawn));
      else
        ++misses;
    }
    PpoSearch::Result result = ppo_.Search(model, starts, count, visited);
    Proposal proposal;
    proposal.best = std::move(result.best);
    proposal.trajectory = std::move(result.trajectory);
    proposal.round.steps = result.steps;
    // The agent keeps learning across searches: its update rounds are numbered over the task.
    for (const PpoSearch::UpdateStats& update : result.updates) {
      proposal.stats.push_back({"reward", updates_, update.mean_reward});
      proposal.stats.push_back({"policy_loss", updates_, update.policy_loss});
      proposal.stats.push_back({"value_loss", updates_, update.value_loss});
      proposal.stats.push_back({"entropy", updates_, update.entropy});
      ++updates_;
    }
    return proposal;
  }

 private:
  const Space& space_;
  int walkers_;
  double best_start_share_;
  int64_t updates_ = 0;  // PPO updates so far, over every search of the task
  PpoSearch ppo_;
  Rng starts_rng_;
};

// BAO: candidates drawn from the neighbourhoods of the best measured configurations, ranked by
// the model; the radius is kept after a search whose batch improved the best enough, and
// widened otherwise (RadiusRule).
class BaoNeighbourhoods : public ModelSearch {
 public:
  BaoNeighbourhoods(const Space& space, const BaoOptions& options, Rng rng)
      : options_(options),
        search_(space, options.search, std::move(rng)),
        radius_(options.radius) {}
  Proposal Search(const CostModel& model, const MeasuredHistory& history, int count,
                  const ConfigSet& visited) override {
    // The radius rule judges the batch measured since the last search.
    const double best_now = history.Best();
    if (searches_ > 0) radius_.Update(best_at_last_search_, best_now);
    best_at_last_search_ = best_now;
    ++searches_;
    Proposal proposal;
    proposal.best = search_.FindMaximums(
        model, history.BestConfigs(static_cast<size_t>(options_.search.centres)), radius_.radius(),
        count, visited);
    proposal.round.steps = search_.last_candidates();
    proposal.round.radius = radius_.radius();
    return proposal;
  }

 private:
  BaoOptions options_;
  NeighbourhoodSearch search_;
  RadiusRule radius_;
  int searches_ = 0;
  double best_at_last_search_ = std::nan("");
};

// ---- Selectors ----

// AutoTVM: the search's best candidates, the last `epsilon` share of the plan replaced by
// random unvisited configurations.
class EpsilonGreedySelector : public Selector {
 public:
  EpsilonGreedySelector(int count, double epsilon) : count_(count), epsilon_(epsilon) {}
  std::vector<Config> Select(const Proposal& proposal, const CostModel&, const ConfigSet& visited,
                             RandomTuner& random) override {
    std::vector<Config> plan = proposal.best;
    const size_t greedy = static_cast<size_t>(std::ceil(count_ * (1 - epsilon_)));
    if (plan.size() > greedy) plan.resize(greedy);
    while (plan.size() < static_cast<size_t>(count_)) {
      std::vector<Config> drawn = random.NextBatch(1);
      if (drawn.empty()) break;
      if (!visited.count(drawn[0])) plan.push_back(std::move(drawn[0]));
    }
    return plan;
  }
  bool plan_is_a_batch() const override { return false; }
  bool needs_trajectory() const override { return false; }

 private:
  int count_;
  double epsilon_;
};

// RELEASE's adaptive sampling: k-means over the search's trajectory, one configuration per
// cluster, k at the knee of the loss curve.
class AdaptiveSelector : public Selector {
 public:
  AdaptiveSelector(const Space& space, const ModelRoleOptions& options, Rng rng)
      : options_(options.sampling),
        max_points_(static_cast<size_t>(options.max_cluster_points)),
        sampler_(space, options.sampling, std::move(rng)) {}
  std::vector<Config> Select(const Proposal& proposal, const CostModel& model,
                             const ConfigSet& visited, RandomTuner&) override {
    const auto [points, scores] = ClusterPoints(proposal.trajectory, model);
    std::vector<Config> plan = sampler_.Select(points, visited, scores);
    if (plan.empty()) plan = proposal.best;  // nothing new in the trajectory's clusters
    return plan;
  }
  bool plan_is_a_batch() const override { return true; }
  bool needs_trajectory() const override { return true; }

 private:
  // The trajectory points k-means clusters, with their scores when the sampling options need
  // them (else empty).
  std::pair<std::vector<Config>, std::vector<double>> ClusterPoints(
      const std::vector<Config>& trajectory, const CostModel& model) const {
    const bool need_scores =
        options_.top_share < 1 || options_.pick == AdaptiveSampler::Options::Pick::kBestMember;
    // An even stride over the trajectory keeps k-means' input bounded.
    auto stride = [&](std::vector<size_t> indices) {
      if (indices.size() <= max_points_) return indices;
      std::vector<size_t> kept(max_points_);
      for (size_t i = 0; i < max_points_; ++i) kept[i] = indices[i * indices.size() / max_points_];
      return kept;
    };
    std::vector<size_t> indices(trajectory.size());
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<double> scores;
    if (need_scores && !trajectory.empty()) {
      scores = model.Predict(trajectory);
      if (options_.top_share < 1) {
        // Only the best-predicted share, and never fewer points than the largest k tried.
        const size_t keep = std::min(
            indices.size(),
            std::max<size_t>(std::ceil(options_.top_share * indices.size()), options_.k_max));
        // Stable, so that equal scores keep trajectory order and runs stay reproducible.
        std::stable_sort(indices.begin(), indices.end(),
                         [&](size_t a, size_t b) { return scores[a] > scores[b]; });
        indices.resize(keep);
        std::sort(indices.begin(), indices.end());
      }
    } else if (trajectory.size() <= max_points_) {
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

  AdaptiveSampler::Options options_;
  size_t max_points_;
  AdaptiveSampler sampler_;
};

}  // namespace

std::unique_ptr<InitialDesign> MakeInitialDesign(DesignKind kind, const Space& space,
                                                 const ModelRoleOptions& options, const Rng& rng) {
  switch (kind) {
    case DesignKind::kRandom:
      return std::make_unique<RandomDesign>();
    case DesignKind::kBted:
      return std::make_unique<BtedInitialDesign>(space, options.bted, rng.Fork("design"));
  }
  TESSEL_CHECK(false) << "unhandled design kind";
  return nullptr;
}

std::unique_ptr<CostModel> MakeCostModel(CostModelKind kind, const Featurizer& featurizer,
                                         const ModelRoleOptions& options, const Rng& rng) {
  switch (kind) {
    case CostModelKind::kXgboost: {
      XgbCostModel::Options model = options.model;
      model.seed = rng.Fork("model").seed();
      return std::make_unique<XgbCostModel>(featurizer, model);
    }
    case CostModelKind::kBootstrapEnsemble: {
      BootstrapEnsemble::Options ensemble;
      ensemble.members = options.bao.members;
      ensemble.spread_weight = options.bao.spread_weight;
      ensemble.model = options.model;
      return std::make_unique<BootstrapEnsemble>(featurizer, ensemble, rng.Fork("ensemble"));
    }
  }
  TESSEL_CHECK(false) << "unhandled cost model kind";
  return nullptr;
}

std::unique_ptr<CostModel> MakeGainModel(const Featurizer& featurizer,
                                         const ModelRoleOptions& options, const Rng& rng) {
  BootstrapEnsemble::Options ensemble;
  ensemble.members = options.bao.members;
  ensemble.model = options.model;
  ensemble.model.objective = XgbCostModel::Objective::kRegression;
  return std::make_unique<BootstrapEnsemble>(featurizer, ensemble, rng.Fork("gain"));
}

std::unique_ptr<ModelSearch> MakeModelSearch(SearchKind kind, const Space& space,
                                             const ModelRoleOptions& options, bool trajectory,
                                             const Rng& rng) {
  switch (kind) {
    case SearchKind::kAnnealing: {
      SimulatedAnnealing::Options annealing = options.annealing;
      annealing.record_trajectory = trajectory;
      return std::make_unique<AnnealingSearch>(space, annealing, rng.Fork("annealing"));
    }
    case SearchKind::kPpo:
      return std::make_unique<PpoWalkers>(space, options, rng);
    case SearchKind::kBao:
      return std::make_unique<BaoNeighbourhoods>(space, options.bao, rng.Fork("neighbourhood"));
  }
  TESSEL_CHECK(false) << "unhandled search kind";
  return nullptr;
}

std::unique_ptr<Selector> MakeSelector(SelectorKind kind, const Space& space,
                                       const ModelRoleOptions& options, int count, const Rng& rng) {
  switch (kind) {
    case SelectorKind::kEpsilonGreedy:
      return std::make_unique<EpsilonGreedySelector>(count, options.epsilon);
    case SelectorKind::kAdaptive:
      return std::make_unique<AdaptiveSelector>(space, options, rng.Fork("sampling"));
  }
  TESSEL_CHECK(false) << "unhandled selector kind";
  return nullptr;
}

}  // namespace tessel
