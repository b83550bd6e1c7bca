// The roles a model-based strategy is made of (AutoTVM's tuner, RELEASE, BTED + BAO):
//   InitialDesign  what to measure before the first fit: uniform random draws or BTED;
//   CostModel      costmodel/: one XGBoost ranker or BAO's bootstrap ensemble;
//   ModelSearch    what the fitted model finds: simulated annealing, the PPO walkers, or BAO's
//                  neighbourhoods of the best measured configurations;
//   Selector       which of what the search found are measured next: AutoTVM's epsilon-greedy
//                  top k (BAO's batches are the same with BAO's batch size) or RELEASE's
//                  adaptive sampling (k-means over the search's trajectory).
// Each role is a small interface here, its implementations and the one factory that makes
// them in model_roles.cc; ModelBasedTuner drives them (model_based_tuner.h).
#pragma once

#include <memory>
#include <vector>

#include "core/rng.h"
#include "costmodel/bootstrap_ensemble.h"
#include "costmodel/cost_model.h"
#include "costmodel/xgb_cost_model.h"
#include "design/ted.h"
#include "sampling/adaptive_sampler.h"
#include "search/neighbourhood_search.h"
#include "search/ppo_search.h"
#include "search/simulated_annealing.h"
#include "space/space.h"
#include "tune/bao_options.h"
#include "tune/measured_history.h"
#include "tune/random_tuner.h"
#include "tune/strategy.h"

namespace tessel {

enum class DesignKind { kRandom, kBted };
enum class CostModelKind { kXgboost, kBootstrapEnsemble };
enum class SearchKind { kAnnealing, kPpo, kBao };
enum class SelectorKind { kEpsilonGreedy, kAdaptive };

// Every role's options, with defaults: what the presets and the command line's --ppo,
// --sampling, --bted and --bao set.
struct ModelRoleOptions {
  int initial_size = 64;  // measurements before the first fit (the initial design)
  int plan_size = 64;     // measurements planned per search (a selector's batch)
  double epsilon = 0.05;  // epsilon-greedy: the share of a plan drawn at random
  XgbCostModel::Options model;
  SimulatedAnnealing::Options annealing;
  // PPO: walkers per search; this share of them starts at the best measured configurations
  // and the rest at random valid ones.
  PpoSearch::Options ppo;
  int walkers = 128;
  double best_start_share = 0.25;
  // Adaptive sampling: k-means sees at most this many trajectory points (an even stride).
  AdaptiveSampler::Options sampling;
  int max_cluster_points = 4096;
  BtedOptions bted;
  BaoOptions bao;

  void Validate() const;  // throws tessel::Error naming the offending option
};

// What a search over the model found: its best unvisited candidates, best first, the
// trajectory it walked (for selectors that cluster it) and its statistics.
struct Proposal {
  std::vector<Config> best;
  std::vector<Config> trajectory;
  SearchRound round;
  std::vector<TunerStat> stats;  // what the search's agent learned (PPO's rewards and losses)
};

class InitialDesign {
 public:
  virtual ~InitialDesign() = default;
  // The first `count` configurations to measure; empty for uniform random draws, which the
  // tuner makes one by one (so that a base model from transfer learning may plan instead).
  virtual std::vector<Config> Plan(int count, const ConfigSet& visited) = 0;
};

class ModelSearch {
 public:
  virtual ~ModelSearch() = default;
  // Up to `count` unvisited candidates the model scores best.
  virtual Proposal Search(const CostModel& model, const MeasuredHistory& history, int count,
                          const ConfigSet& visited) = 0;
};

class Selector {
 public:
  virtual ~Selector() = default;
  // The next plan from a search's proposal. `random` draws uniform configurations (the
  // tuner's own stream, shared with its initial draws).
  virtual std::vector<Config> Select(const Proposal& proposal, const CostModel& model,
                                     const ConfigSet& visited, RandomTuner& random) = 0;
  // True when each plan is one batch, followed by a refit and a new search (adaptive
  // sampling); false when the model is refitted every plan_size measurements (AutoTVM).
  virtual bool plan_is_a_batch() const = 0;
  // True when the search must record its trajectory for this selector.
  virtual bool needs_trajectory() const = 0;
};

// The factories: each switches over its role's kinds. Every random stream is forked from
// `rng` by the role's name, so that a role draws the same numbers whatever the others are.
std::unique_ptr<InitialDesign> MakeInitialDesign(DesignKind kind, const Space& space,
                                                 const ModelRoleOptions& options, const Rng& rng);
std::unique_ptr<CostModel> MakeCostModel(CostModelKind kind, const Featurizer& featurizer,
                                         const ModelRoleOptions& options, const Rng& rng);
// The model behind ModelBasedTuner::ExpectedGain: BAO's ensemble (its member count), each
// member regressing fitness, so that its mean and spread say how much faster a configuration
// may be.
std::unique_ptr<CostModel> MakeGainModel(const Featurizer& featurizer,
                                         const ModelRoleOptions& options, const Rng& rng);
std::unique_ptr<ModelSearch> MakeModelSearch(SearchKind kind, const Space& space,
                                             const ModelRoleOptions& options, bool trajectory,
                                             const Rng& rng);
// `count` is the plan's size.
std::unique_ptr<Selector> MakeSelector(SelectorKind kind, const Space& space,
                                       const ModelRoleOptions& options, int count, const Rng& rng);

}  // namespace tessel
