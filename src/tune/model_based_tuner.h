// The model-based strategy: measure an initial design, then refit the cost model on everything
// measured and let a search over the model and a selector pick the next plan of unvisited
// configurations. A configuration is never proposed twice. The four roles (model_roles.h) are
// chosen by the presets (presets.h):
//   autotvm   random design, XGBoost, simulated annealing, epsilon-greedy top k;
//   release   random design, XGBoost, PPO walkers, adaptive sampling (rl and sa-as swap one);
//   bted      BTED design, then autotvm's loop;
//   bted-bao  BTED design, bootstrap ensemble, BAO's neighbourhoods, BAO's batches;
//   tessel    bted's roles in plans of 16 that skip twins, a first plan from a prior that is
//             its best among uniform draws, and an ensemble that estimates what is left to
//             gain (the default: bench/tuning_time/README.md says why).
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tune/model_roles.h"
#include "tune/random_tuner.h"
#include "tune/strategy.h"

namespace tessel {

class ModelBasedTuner : public Strategy {
 public:
  struct Roles {
    DesignKind design = DesignKind::kRandom;
    CostModelKind model = CostModelKind::kXgboost;
    SearchKind search = SearchKind::kAnnealing;
    SelectorKind selector = SelectorKind::kEpsilonGreedy;
    // Whether a second model, an ensemble regressing fitness, estimates what is left to gain
    // (ExpectedGain). It never chooses: the choices are the same with it or without.
    bool estimates_gain = false;
    // Whether configurations whose canonical form was proposed before are skipped
    // (SkipTwins): they would only repeat a measurement.
    bool skip_twins = false;
    // Whether the first plan, when a base model (a prior, transfer learning) makes it before
    // the task's first measurement, is the model's best among kScreenedDraws uniform draws
    // (search/uniform_screen.h) rather than what the search finds on it.
    bool screen_first_plan = false;
  };
  static constexpr int kScreenedDraws = 1024;

  // The space and the featurizer must outlive the tuner. Throws tessel::Error for bad
  // options.
  ModelBasedTuner(const Space& space, const Featurizer& featurizer, const Roles& roles,
                  const ModelRoleOptions& options, Rng rng);

  // Transfer learning (AutoTVM's load_history): the next NextBatch fits the model's base on
  // other tasks' rows and, when nothing was measured yet, plans with it instead of drawing at
  // random or measuring the initial design. The fit happens there, so the tuning loop counts its
  // time. Returns false (and changes nothing) when `history` has no rows.
  bool WarmStart(FeatureRows history);

  // From now on, never propose a configuration whose canonical form (Problem::Canonical) was
  // proposed or measured before: on the schedule problem such twins compile to the same code,
  // and measuring one spends a measurement to learn nothing (a search that closes in on the
  // best proposes many).
  void SkipTwins(std::function<Config(const Config&)> canonical);

  std::vector<Config> NextBatch(int max_count) override;
  // Resumed measurements count towards the initial design; with at least a design's worth,
  // the first batch already comes from the model.
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  // With Roles::estimates_gain: the largest expected improvement, by an ensemble regressing
  // fitness fitted on every measurement so far, among the next `count` configurations of the
  // current plan.
  std::optional<double> ExpectedGain(int count) override;
  double fit_seconds() const override { return fit_seconds_; }
  const std::vector<SearchRound>& search_rounds() const override { return rounds_; }
  // Once a model is fitted, for each configuration proposed: "predicted", the model's score
  // (higher for faster: only its order means anything), and "fitted_on", how many measurements
  // that model was fitted on (0 for a transfer base model alone), which tells the refits
  // apart; both per proposal. Plus what the search reports (PPO: per update round, "reward",
  // "policy_loss", "value_loss", "entropy").
  std::vector<TunerStat> TakeStats() override { return std::exchange(stats_, {}); }

 private:
  void Replan();
  void PlanFromModel();
  // The first plan from a base model alone, under Roles::screen_first_plan.
  void PlanFromScreenedDraws();
  void Record(const Config& config, const Evaluation& result);
  // Reports the model's scores for a batch it is about to propose.
  void ReportPredictions(const std::vector<Config>& batch);
  // Whether `config` is a twin of one proposed or measured before (never, without SkipTwins).
  bool IsTwin(const Config& config) const;

  const Space& space_;
  ModelRoleOptions options_;
  bool screen_first_plan_;
  Rng screen_rng_;      // the draws PlanFromScreenedDraws scores
  RandomTuner random_;  // uniform draws: the random design, a plan's epsilon share
  std::unique_ptr<InitialDesign> design_;
  std::unique_ptr<CostModel> model_;
  std::unique_ptr<CostModel> gain_model_;  // null without Roles::estimates_gain
  size_t gain_fitted_on_ = 0;
  std::unique_ptr<ModelSearch> search_;
  std::unique_ptr<Selector> selector_;
  bool initial_planned_ = false;
  bool fitted_ = false;
  // Whether the model can predict (fitted, or a transfer base model), and on how many
  // measurements it was last fitted.
  bool model_ready_ = false;
  int fitted_on_ = 0;
  bool replan_due_ = false;  // set by Update, carried out by the next NextBatch
  std::vector<SearchRound> rounds_;
  std::vector<Config> plan_;
  size_t plan_next_ = 0;
  ConfigSet visited_;
  std::function<Config(const Config&)> canonical_;  // empty: twins are not skipped
  ConfigSet canonical_visited_;
  std::vector<Config> measured_;
  std::vector<double> values_;  // NaN for anything not ok
  int since_fit_ = 0;
  double fit_seconds_ = 0;
  FeatureRows pending_history_;   // given to WarmStart, fitted by the next NextBatch
  std::vector<TunerStat> stats_;  // reported since the last TakeStats
};

}  // namespace tessel
