// The tuning loop, as a library call: Tune(tasks, store, options) tunes any problems
// (engine/problem.h) with any strategy, and owns everything a run needs besides them:
//   - budgets: --trials per task, or one budget shared equally or round by round to the task
//     whose improvement matters most, by its past rounds or by its model's prediction, which
//     also stops tasks with little left to gain (task_scheduler.h);
//   - resume: a task's records in the store count towards its budget, and its strategy learns
//     from them before proposing anything;
//   - the default configuration, evaluated first as the baseline;
//   - constraints: an evaluation whose metric breaks one is recorded as infeasible and is
//     never the best;
//   - early stopping, and transfer learning from other tasks' records;
//   - recording: each evaluated batch goes to the store through the first batch callback
//     (RecordToStore), in one transaction, before the strategy sees it.
// The command line only parses, builds tasks, calls Tune and prints its report.
//
// Per task, the loop is: ask the strategy for a batch, evaluate it, apply the constraints, run
// the callbacks, hand the results back to the strategy; until the task's share of the budget
// is spent, its space is exhausted or it stopped improving.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "engine/problem.h"
#include "tune/strategy.h"
#include "tune/task_scheduler.h"

namespace tessel {

class RecordStore;

// One task of a run: a problem instance and how the run treats it.
struct TuningTask {
  std::string label;  // names the task in progress lines and reports
  double weight = 1;  // how often a network runs it: its weight when a budget is shared
  double flops = 0;   // work per evaluation, turning a time in ms into GFLOP/s on progress lines
  std::unique_ptr<Problem> problem;
};

// What a strategy is made from, per task.
struct StrategyInputs {
  const Problem& problem;
  const Featurizer& featurizer;
  const FeatureRows* history;  // other tasks' rows to warm-start a cost model; null if none
  Rng rng;                     // the task's own stream: depends on the seed and its instance
};
using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyInputs&)>;

// AutoTVM needs this many records before it trusts a base model (its min_seed_records).
constexpr size_t kMinTransferRows = 500;

struct TuningOptions {
  StrategyFactory strategy;                    // required
  std::string strategy_name;                   // recorded with the run
  int trials = 0;                              // evaluations per task, or
  int budget = 0;                              // evaluations shared by all tasks
  Allocation allocation = Allocation::kEqual;  // how a budget is shared
  PredictedOptions predicted;                  // predicted allocation's stopping rule
  // Measurements per round when a budget is shared round by round; 0: a quarter of an equal
  // share, rounded to 8 and kept within 8-64.
  int round_size = 0;
  // A task's first round when a budget is shared round by round; 0: the round size. A small
  // one makes the first rounds a quick pass over the whole network, so that every task has
  // its design's (or its prior's) first picks measured before any task gets a second round;
  // a budget too small for one each cuts it to an equal share.
  int first_round_size = 0;
  int batch_size = 8;            // configurations per strategy request and per records transaction
  int early_stopping = 0;        // stop a task after this many evaluations without improvement
  bool resume = false;           // the tasks' records in the store count towards their budgets
  bool evaluate_default = true;  // evaluate a task's default configuration first, when it has one
  bool transfer = false;         // warm-start cost models from other tasks' records
  // Warm-start cost models from every task of the same template in these records, measured on
  // any host (a prior); instead of `transfer`. Must outlive the run.
  const RecordStore* prior = nullptr;
  std::vector<Constraint> constraints;
  uint64_t seed = 0;
  std::string command;      // recorded with the run: the command line that started it
  std::string host = "{}";  // recorded with the run: HostToJson of the machine it runs on
  bool progress = true;     // a progress line per task on stderr

  // Throws tessel::Error naming the offending option.
  void Validate() const;
};

// One evaluated batch of one task, as callbacks see it (after the constraints were applied).
struct TaskBatch {
  size_t task_index;
  const TuningTask& task;
  int64_t task_id;  // in the store; 0 without one
  int64_t run_id;
  const std::vector<Config>& configs;
  const std::vector<Evaluation>& evaluations;
  bool is_default;  // the task's default configuration, which does not count towards its budget
};
using BatchCallback = std::function<void(const TaskBatch&)>;

// Appends each batch to `store`, in one transaction (TVM MetaSchedule's AddToDatabase): the
// callback Tune runs first when it is given a store.
BatchCallback RecordToStore(RecordStore& store);

struct TuningCallbacks {
  std::vector<BatchCallback> on_batch;  // run in order, after the batch was recorded
  // Notes for the user ("resumed N evaluations"); stderr when empty.
  std::function<void(const std::string&)> log;
};

// What one task got out of a run.
struct TaskReport {
  std::string label;
  ProblemKey key;
  int64_t task_id = 0;
  bool started = false;  // false when resumed records already covered its budget
  int resumed = 0;       // evaluations taken over from the store
  int evaluations = 0;   // made by this run, failures included (not the default)
  // Of those, the ones a repeatable problem's earlier runs had evaluated, taken from the
  // records instead of evaluated again (Problem::repeatable).
  int reused = 0;
  std::optional<Config> best;  // best feasible configuration, resumed ones included
  double best_value = std::nan("");
  Metrics best_metrics;
  double default_value = std::nan("");  // the default configuration's value, when evaluated
  std::vector<double> curve;            // best value after each evaluation; NaN before any
  // Wall seconds since the task started when each evaluation's batch was done (not
  // reproducible: for "time to reach" figures).
  std::vector<double> elapsed_seconds;
  // Where the wall time went: building what was evaluated (wall time, so parallel builds
  // count once), the rest of evaluating, fitting cost models, and the rest of the strategy
  // (search); the remainder of wall_seconds is recording and progress.
  double compile_seconds = 0;
  double run_seconds = 0;
  double fit_seconds = 0;
  double search_seconds = 0;
  double wall_seconds = 0;
  std::vector<SearchRound> search_rounds;
  size_t transfer_rows = 0;  // rows the cost model was warm-started from
  // Predicted allocation: the share of its best the task's model last expected another round
  // to gain, and whether that was too little to go on (below PredictedOptions::min_gain).
  std::optional<double> expected_gain;
  bool stopped_by_model = false;
};

struct TuningReport {
  int64_t run_id = 0;  // 0 without a store
  std::vector<TaskReport> tasks;
  // The signal that stopped the run early (core/stop_request.h), 0 when it ran its budget.
  // What was evaluated before it is recorded; what was in flight is not.
  int stopped_by_signal = 0;
};

// Throws tessel::Error when a constraint names neither the problem's objective nor one of its
// metrics, naming what the problem reports.
void CheckConstraints(const Problem& problem, const std::vector<Constraint>& constraints);

// Throws tessel::Error when the options do not fit the tasks: bad options, a budget too small
// to give each task an evaluation, constraints on metrics the problems do not report. Tune
// checks this itself; callers that open a store call it first, so that bad input never
// touches the database.
void CheckTuning(const std::vector<TuningTask>& tasks, const TuningOptions& options);

// Tunes the tasks and records every evaluation in `store` (none when null).
TuningReport Tune(std::vector<TuningTask>& tasks, RecordStore* store, const TuningOptions& options,
                  const TuningCallbacks& callbacks = {});

}  // namespace tessel
