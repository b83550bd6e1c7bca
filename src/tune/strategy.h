// The Strategy role: proposes which configurations to evaluate next and learns from the
// results. The loop in tuning.h owns evaluating and recording; a strategy never sees the
// problem's evaluator, so the same strategy runs on real hardware, on a replay table, on an
// analytical model or on a fake.
//
// Strategies come in two shapes, both behind this interface:
//   - direct: they learn from evaluations alone (random, grid; a genetic algorithm or an RL
//     agent that builds a configuration decision by decision reads what it needs, per-decision
//     rewards included, from the evaluations' metrics in Update);
//   - model-based (model_based_tuner.h): an initial design, then a cost model fitted on the
//     evaluations, searched for candidates that a selector turns into the next batch.
// presets.h names the combinations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/evaluation.h"
#include "space/space.h"

namespace tessel {

// One search over the cost model: how many evaluations preceded it, how many steps the search
// took to converge (RELEASE's convergence figure; for BAO, the candidates it scored), how many
// configurations it planned, and BAO's neighbourhood radius (0 for other searches).
struct SearchRound {
  int measured = 0;
  int steps = 0;
  int planned = 0;
  double radius = 0;
};

// One number a strategy learned or computed while tuning (an RL agent's reward or loss per
// update round, a cost model's prediction for a configuration it proposed), which the tuning
// loop records beside the evaluations (RecordStore::AppendTunerLog) for the report to chart.
// A strategy reports them without knowing whether, or where, they are recorded.
struct TunerStat {
  std::string name;  // e.g. "reward", "policy_loss", "predicted"
  int64_t step = 0;  // the round, episode or refit it belongs to (the strategy's own count)
  double value = 0;
  // Set for a number about one configuration of the batch NextBatch returned last: `step` is
  // then its position in that batch, and the loop replaces it with the sequence number of its
  // measurement in the run (0 for the run's first measurement of the task, the default
  // configuration included), so that it pairs with the measured value. Dropped when the batch
  // was cut short by a stop request.
  bool per_proposal = false;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to `max_count` valid configurations that were never proposed before; fewer (possibly
  // none) when the space is exhausted.
  virtual std::vector<Config> NextBatch(int max_count) = 0;
  // The evaluations of configurations this strategy proposed, in the same order. Values are
  // minimised; anything not ok (failed, invalid, infeasible) counts as the worst.
  virtual void Update(const std::vector<Config>& configs,
                      const std::vector<Evaluation>& results) = 0;
  // Evaluations of this task from an earlier run, handed over before the first NextBatch
  // when tuning resumes: they are never proposed again, and model-based strategies learn from
  // them as from their own.
  virtual void Resume(const std::vector<Config>& configs,
                      const std::vector<Evaluation>& results) = 0;
  // How much of the task's best value the next `count` proposals are expected to remove, as a
  // share of it (0.05: 5% lower), by the strategy's model of what it would propose next.
  // nullopt without such a model, or before it was fitted on the task's own measurements. May
  // do now the refit and search the next NextBatch would do, and draws nothing else: asking
  // does not change the choices.
  virtual std::optional<double> ExpectedGain(int count) {
    (void)count;
    return std::nullopt;
  }
  // Wall time spent fitting cost models so far (part of the time in NextBatch and Update).
  virtual double fit_seconds() const { return 0; }
  // The searches over a cost model so far (none for direct strategies).
  virtual const std::vector<SearchRound>& search_rounds() const {
    static const std::vector<SearchRound> none;
    return none;
  }
  // What the strategy reported since the last call, oldest first; the tuning loop drains it
  // after each batch is evaluated and again after Update. Reporting must never change what
  // the strategy chooses: same seed, same records, same choices.
  virtual std::vector<TunerStat> TakeStats() { return {}; }
};

}  // namespace tessel
