// The model-based tuner: measure a random initial plan, then refit the cost model on
// everything measured and let a search over the model pick the next plan of unvisited
// configurations. A configuration is never proposed twice.
//
// Three roles vary (the presets in tuner.h pick them):
// - the initial design: uniform random draws (AutoTVM) or BTED (seed 001's diverse design);
// - the model and search: one XGBoost model searched by simulated annealing (AutoTVM) or by
//   the PPO agent (RELEASE), or BAO's bootstrap ensemble searched in an adaptive
//   neighbourhood of the best measured configurations (seed 001);
// - the selection: greedy (AutoTVM: the search's `plan_size` best candidates, a share
//   `epsilon` of them replaced by random unvisited ones, refit every `plan_size`
//   measurements) or adaptive (RELEASE: k-means over the search's trajectory, one
//   configuration per cluster, refit after each such variable-size batch).
#pragma once

#include <cmath>
#include <optional>
#include <unordered_set>

#include "costmodel/bootstrap_ensemble.h"
#include "costmodel/xgb_cost_model.h"
#include "design/ted.h"
#include "sampling/adaptive_sampler.h"
#include "search/neighbourhood_search.h"
#include "search/ppo_search.h"
#include "search/simulated_annealing.h"
#include "tune/bao_options.h"
#include "tune/random_tuner.h"
#include "tune/tuner.h"

namespace tessel {

class ModelBasedTuner : public Tuner {
 public:
  enum class Init { kRandom, kBted };
  enum class Search { kAnnealing, kPpo, kBao };
  enum class Selection { kGreedy, kAdaptive };

  struct Options {
    Init init = Init::kRandom;
    Search search = Search::kAnnealing;
    Selection selection = Selection::kGreedy;
    // Measurements before the first fit (the initial design), then between refits.
    int initial_size = 64;
    int plan_size = 64;
    double epsilon = 0.05;
    SimulatedAnnealing::Options annealing;
    XgbCostModel::Options model;
    // PPO: walkers per search; this share of them starts at the best measured configurations
    // and the rest at random valid ones.
    PpoSearch::Options ppo;
    int walkers = 128;
    double best_start_share = 0.25;
    // Adaptive selection: k-means sees at most this many trajectory points (an even stride).
    AdaptiveSampler::Options sampling;
    int max_cluster_points = 4096;
    BtedOptions bted;  // Init::kBted
    BaoOptions bao;    // Search::kBao (its batch is taken as plan_size by the presets)

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // The space and the featurizer must outlive the tuner.
  ModelBasedTuner(const Space& space, const Featurizer& featurizer, const Options& options,
                  Rng rng);

  // Transfer learning (AutoTVM's load_history): the next NextBatch fits the model's base on
  // other tasks' rows and, when nothing was measured yet, plans with it instead of at random.
  // The fit happens there, so the tuning loop counts its time. Returns false (and changes
  // nothing) when `history` has no rows.
  bool WarmStart(FeatureRows history);

  std::vector<Config> NextBatch(int max_count) override;
  // Resumed measurements count towards the initial design; with at least a design's worth,
  // the first batch already comes from the model.
  void Resume(const std::vector<Config>& configs,
              const std::vector<Evaluation>& results) override;
  void Update(const std::vector<Config>& configs,
              const std::vector<Evaluation>& results) override;
  double fit_seconds() const override { return fit_seconds_; }
  const std::vector<SearchRound>& search_rounds() const override { return rounds_; }

 private:
  const CostModel& model() const;
  void Replan();
  void PlanFromModel();
  // The fastest measured time (NaN while nothing worked).
  double BestTimeMs() const;
  // The measured configurations that worked, fastest first, at most `count`.
  std::vector<Config> BestMeasured(size_t count) const;
  std::vector<Config> PpoStarts();
  // The trajectory points adaptive sampling clusters, with their scores when the sampling
  // options need them (else empty).
  std::pair<std::vector<Config>, std::vector<double>> ClusterPoints(
      const std::vector<Config>& trajectory) const;

  const Space& space_;
  Options options_;
  Rng rng_;
  RandomTuner random_;                           // the initial plan and the epsilon share
  std::unique_ptr<XgbCostModel> single_model_;   // all but Search::kBao
  std::unique_ptr<BootstrapEnsemble> ensemble_;  // only for Search::kBao
  SimulatedAnnealing annealing_;
  std::unique_ptr<PpoSearch> ppo_;                      // only for Search::kPpo
  std::unique_ptr<NeighbourhoodSearch> neighbourhood_;  // only for Search::kBao
  std::optional<RadiusRule> radius_;                    // only for Search::kBao
  double best_at_last_plan_ms_ = std::nan("");
  AdaptiveSampler sampler_;
  Rng starts_rng_;  // the random starts of PPO walkers
  Rng design_rng_;  // BTED's subsets
  bool initial_planned_ = false;
  bool fitted_ = false;
  bool replan_due_ = false;  // set by Update, carried out by the next NextBatch
  std::vector<SearchRound> rounds_;
  std::vector<Config> plan_;
  size_t plan_next_ = 0;
  std::unordered_set<uint64_t> visited_;
  std::vector<Config> measured_;
  std::vector<double> times_ms_;  // NaN for failures
  int since_fit_ = 0;
  double fit_seconds_ = 0;
  FeatureRows pending_history_;  // given to WarmStart, fitted by the next NextBatch
};

}  // namespace tessel
