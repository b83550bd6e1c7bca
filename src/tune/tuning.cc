#include "tune/tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/stop_request.h"
#include "records/record_store.h"
#include "tune/progress.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "0.4%", for log lines.
std::string FormatPercent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * share);
  return text;
}

// Makes `result` the task's best when it succeeded and beats the best so far; says whether it
// did.
bool TakeIfBetter(const ObjectiveInfo& objective, const Config& config, const Evaluation& result,
                  TaskReport& report) {
  if (!result.ok() || !IsBetter(objective, result.value, report.best_value)) return false;
  report.best_value = result.value;
  report.best_metrics = result.metrics;
  report.best = config;
  return true;
}

// Everything one task keeps while the budget is shared out.
struct TaskState {
  std::vector<Config> resumed;
  std::vector<Evaluation> resumed_results;
  // The default configuration and its evaluation, when this run measured it.
  std::optional<Config> default_config;
  Evaluation default_result;
  std::unique_ptr<Featurizer> featurizer;
  TransferRows transfer;
  std::unique_ptr<Strategy> strategy;
  int since_improvement = 0;
  // A repeatable problem's evaluations in the records, by configuration text: any earlier
  // run's, and this run's as it goes.
  std::unordered_map<std::string, Evaluation> stored;
};

// One run of Tune: the tasks, their states and the run's record.
class TuningRun {
 public:
  TuningRun(std::vector<TuningTask>& tasks, RecordStore* store, const TuningOptions& options,
            const TuningCallbacks& callbacks)
      : tasks_(tasks),
        store_(store),
        options_(options),
        callbacks_(callbacks),
        root_(options.seed) {
    if (store_) on_batch_.push_back(RecordToStore(*store_));
    on_batch_.insert(on_batch_.end(), callbacks.on_batch.begin(), callbacks.on_batch.end());
  }

  TuningReport Run();

 private:
  void Log(const std::string& message) const {
    if (callbacks_.log) {
      callbacks_.log(message);
    } else {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }
  void LoadResumed(size_t index);
  void LoadStored(size_t index);
  // The problem's evaluations of `configs`, those stored before taken from the store.
  std::vector<Evaluation> EvaluateOrReuse(size_t index, const std::vector<Config>& configs);
  void StartTask(size_t index);
  // Evaluates `configs`, applies the constraints and hands the batch to the callbacks, the
  // first of which records it. Configurations cancelled by a stop request are removed from
  // `configs` (and have no evaluation): they were never measured, so nothing is recorded.
  std::vector<Evaluation> Evaluate(size_t index, std::vector<Config>& configs, bool is_default);
  // Gives a task `count` more evaluations (fewer when its space runs dry or it stops early).
  void TuneRound(size_t index, int count);
  // Records what the task's strategy reported since the last call. Its per-proposal numbers
  // refer to the last batch, whose measurements took the run's seqs from `batch_seq` on; they
  // are dropped when `batch_whole` is false (a stop request cut the batch, so positions in it
  // no longer match measurements).
  void DrainStats(size_t index, int64_t batch_seq, bool batch_whole);
  void Finish(size_t index);
  // Measurements per round when a budget is shared round by round.
  int RoundSize() const {
    if (options_.round_size > 0) return options_.round_size;
    const int count = static_cast<int>(tasks_.size());
    return std::clamp(options_.budget / (4 * count) / 8 * 8, 8, 64);
  }
  // A short first round (TuningOptions::first_round_size), then one that completes the round
  // size, so that later rounds end where the model's plans end and each estimate of what is
  // left to gain is of a fresh plan.
  int RoundSizeFor(const TaskProgress& task) const {
    const int round = RoundSize();
    // A budget too small for a full first round each is cut so that every task gets one.
    const int first = std::min(options_.first_round_size,
                               std::max(1, options_.budget / static_cast<int>(tasks_.size())));
    if (first <= 0 || first >= round || task.best_after_round.size() > 1) return round;
    return task.best_after_round.empty() ? first : round - first;
  }

  std::vector<TuningTask>& tasks_;
  RecordStore* store_;
  const TuningOptions& options_;
  const TuningCallbacks& callbacks_;
  std::vector<BatchCallback> on_batch_;  // recording first, then the caller's
  const Rng root_;
  TuningReport report_;
  std::vector<TaskState> states_;
  std::vector<TaskProgress> progress_;  // per task: what the budget's scheduler reads
  // The seq the store gives the run's next measurement: the run's measurements are numbered
  // 0, 1, ... in the order Evaluate hands them to RecordToStore.
  int64_t next_seq_ = 0;
};

void TuningRun::LoadResumed(size_t index) {
  TaskState& state = states_[index];
  TaskReport& report = report_.tasks[index];
  const Problem& problem = *tasks_[index].problem;
  const Space& space = problem.space();
  for (const MeasurementRecord& record : store_->History(report.task_id)) {
    Config config = space.FromText(record.config);
    if (!space.IsValid(config)) continue;
    Evaluation result = record.result;
    // An earlier run's constraints may differ from this one's: judge again by these.
    if (result.status == EvalStatus::kInfeasible) {
      result.status = EvalStatus::kOk;
      result.error.clear();
    }
    ApplyConstraints(options_.constraints, problem.objective(), result);
    state.resumed.push_back(std::move(config));
    state.resumed_results.push_back(std::move(result));
  }
  report.resumed = static_cast<int>(state.resumed.size());
  progress_[index].measured = report.resumed;
  if (!state.resumed.empty()) {
    double best = std::nan("");
    for (const Evaluation& result : state.resumed_results)
      if (result.ok() && IsBetter(problem.objective(), result.value, best)) best = result.value;
    progress_[index].best_after_round.push_back(best);
  }
}

void TuningRun::LoadStored(size_t index) {
  if (!store_ || !tasks_[index].problem->repeatable()) return;
  const Space& space = tasks_[index].problem->space();
  for (MeasurementRecord& record : store_->History(report_.tasks[index].task_id)) {
    Evaluation& result = record.result;
    // Judged again by this run's constraints. A failure (out of memory, say) may not happen
    // again: it is evaluated again. A configuration the space no longer holds was recorded
    // against another space and is left alone.
    if (result.status == EvalStatus::kInfeasible) {
      result.status = EvalStatus::kOk;
      result.error.clear();
    }
    if (!result.ok()) continue;
    try {
      states_[index].stored[space.ToText(space.FromText(record.config))] = std::move(result);
    } catch (const Error&) {
    }
  }
}

std::vector<Evaluation> TuningRun::EvaluateOrReuse(size_t index,
                                                   const std::vector<Config>& configs) {
  TaskState& state = states_[index];
  Problem& problem = *tasks_[index].problem;
  if (!problem.repeatable()) return problem.Evaluate(configs);
  std::vector<Evaluation> evaluations(configs.size());
  std::vector<Config> missing;
  std::vector<size_t> missing_at;
  for (size_t i = 0; i < configs.size(); ++i) {
    const auto found = state.stored.find(problem.space().ToText(configs[i]));
    if (found == state.stored.end()) {
      missing.push_back(configs[i]);
      missing_at.push_back(i);
      continue;
    }
    evaluations[i] = found->second;
    evaluations[i].compile_ms = 0;
    ++report_.tasks[index].reused;
  }
  if (!missing.empty()) {
    std::vector<Evaluation> fresh = problem.Evaluate(missing);
    TESSEL_CHECK(fresh.size() == missing.size()) << "one evaluation per configuration";
    for (size_t j = 0; j < missing.size(); ++j) {
      if (fresh[j].ok()) state.stored[problem.space().ToText(missing[j])] = fresh[j];
      evaluations[missing_at[j]] = std::move(fresh[j]);
    }
  }
  return evaluations;
}

std::vector<Evaluation> TuningRun::Evaluate(size_t index, std::vector<Config>& configs,
                                            bool is_default) {
  TuningTask& task = tasks_[index];
  std::vector<Evaluation> evaluations = EvaluateOrReuse(index, configs);
  TESSEL_CHECK(evaluations.size() == configs.size()) << "one evaluation per configuration";
  size_t kept = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (evaluations[i].status == EvalStatus::kCancelled) continue;
    if (kept != i) {
      configs[kept] = std::move(configs[i]);
      evaluations[kept] = std::move(evaluations[i]);
    }
    ++kept;
  }
  configs.resize(kept);
  evaluations.resize(kept);
  next_seq_ += static_cast<int64_t>(kept);
  for (Evaluation& evaluation : evaluations)
    ApplyConstraints(options_.constraints, task.problem->objective(), evaluation);
  const TaskBatch batch{
      index, task, report_.tasks[index].task_id, report_.run_id, configs, evaluations, is_default};
  for (const BatchCallback& callback : on_batch_) callback(batch);
  return evaluations;
}

void TuningRun::StartTask(size_t index) {
  TuningTask& task = tasks_[index];
  TaskState& state = states_[index];
  TaskReport& report = report_.tasks[index];
  Problem& problem = *task.problem;
  report.started = true;
  if (!state.resumed.empty())
    Log("[" + task.label + "] --resume: " + std::to_string(state.resumed.size()) +
        " measurements recorded");
  if (options_.evaluate_default && state.resumed.empty()) {
    if (const std::optional<Config> default_config = problem.DefaultConfig()) {
      std::vector<Config> configs = {*default_config};
      const std::vector<Evaluation> evaluated = Evaluate(index, configs, true);
      if (!evaluated.empty()) {
        report.default_value = evaluated[0].value;
        state.default_config = configs[0];
        state.default_result = evaluated[0];
      }
    }
  }
  state.featurizer = problem.MakeFeaturizer();
  if (options_.prior || (options_.transfer && store_)) {
    const bool prior = options_.prior != nullptr;
    const std::string flag = prior ? "--prior" : "--transfer";
    state.transfer =
        prior ? problem.LoadTransferRows(*options_.prior, TransferScope::kEveryTask)
              : problem.LoadTransferRows(*store_, TransferScope::kOtherTasksOfThisTarget);
    const size_t rows = state.transfer.rows.features.size();
    const std::string skipped =
        state.transfer.skipped_tasks == 0
            ? ""
            : " (" + std::to_string(state.transfer.skipped_tasks) +
                  " tasks skipped: their knob features have another length)";
    if (rows < kMinTransferRows) {
      Log("[" + task.label + "] " + flag + ": " + std::to_string(rows) + " records of " +
          std::to_string(state.transfer.tasks) + " tasks of this template" +
          (prior ? " in the prior" : " and target in the database") + ", fewer than " +
          std::to_string(kMinTransferRows) + "; starting without a base model" + skipped);
      state.transfer = {};
    } else {
      Log("[" + task.label + "] " + flag + ": base model from " + std::to_string(rows) +
          " records of " + std::to_string(state.transfer.tasks) + " tasks" + skipped);
    }
  }
  report.transfer_rows = state.transfer.rows.features.size();
  // Each task's stream depends only on the root seed and the instance, not on its position.
  state.strategy =
      options_.strategy({problem, *state.featurizer,
                         state.transfer.rows.features.empty() ? nullptr : &state.transfer.rows,
                         root_.Fork(problem.key().instance)});
  if (!state.resumed.empty()) state.strategy->Resume(state.resumed, state.resumed_results);
}

void TuningRun::TuneRound(size_t index, int count) {
  TuningTask& task = tasks_[index];
  TaskState& state = states_[index];
  TaskReport& report = report_.tasks[index];
  if (!report.started) StartTask(index);
  Strategy& strategy = *state.strategy;
  const ObjectiveInfo objective = task.problem->objective();

  const auto start = Clock::now();
  const double offset = report.wall_seconds;
  const double fit_before = strategy.fit_seconds();
  double search_seconds = 0;
  ProgressLine progress(task.label, count, task.flops, objective.unit, options_.progress);
  int done = 0;
  while (done < count && !StopRequested()) {
    const int want = std::min(options_.batch_size, count - done);
    const auto search_start = Clock::now();
    std::vector<Config> batch = strategy.NextBatch(want);
    search_seconds += SecondsSince(search_start);
    if (batch.empty()) break;  // the space is exhausted
    TESSEL_CHECK(static_cast<int>(batch.size()) <= want) << "the strategy overfilled a batch";

    const auto evaluate_start = Clock::now();
    const size_t proposed = batch.size();
    const int64_t batch_seq = next_seq_;
    const std::vector<Evaluation> evaluated = Evaluate(index, batch, false);
    const double evaluate_seconds = SecondsSince(evaluate_start);
    const bool batch_whole = batch.size() == proposed;
    // What the strategy reported while proposing: recorded even when a stop request ends the
    // run below.
    DrainStats(index, batch_seq, batch_whole);
    double compile_seconds = task.problem->last_build_seconds();
    if (compile_seconds < 0) {
      compile_seconds = 0;
      for (const Evaluation& one : evaluated)
        if (std::isfinite(one.compile_ms)) compile_seconds += one.compile_ms / 1000;
    }
    compile_seconds = std::min(compile_seconds, evaluate_seconds);
    report.compile_seconds += compile_seconds;
    report.run_seconds += evaluate_seconds - compile_seconds;

    bool stop = false;
    const double batch_done = offset + SecondsSince(start);
    for (size_t i = 0; i < batch.size(); ++i) {
      ++done;
      ++report.evaluations;
      if (TakeIfBetter(objective, batch[i], evaluated[i], report)) {
        state.since_improvement = 0;
      } else {
        ++state.since_improvement;
      }
      report.curve.push_back(report.best_value);
      report.elapsed_seconds.push_back(batch_done);
      if (options_.early_stopping > 0 && state.since_improvement >= options_.early_stopping)
        stop = true;
    }
    // A stop request cancels the rest of the batch: what was measured is recorded (above)
    // and counted; the strategy is not told, as the run ends here.
    if (StopRequested()) break;
    const auto update_start = Clock::now();
    strategy.Update(batch, evaluated);
    search_seconds += SecondsSince(update_start);
    DrainStats(index, batch_seq, batch_whole);
    progress.Update(done, report.best_value);
    if (stop) break;
  }
  progress.Finish();
  TaskProgress& task_progress = progress_[index];
  if (options_.allocation == Allocation::kPredicted && !StopRequested()) {
    // The refit and search for the next round happen here, counted as this round's.
    const auto estimate_start = Clock::now();
    // No estimate this time (a plan of twins only, say) leaves the last one standing.
    if (const std::optional<double> gain = strategy.ExpectedGain(RoundSize())) {
      task_progress.expected_gain = gain;
      task_progress.low_estimates =
          *gain < options_.predicted.min_gain ? task_progress.low_estimates + 1 : 0;
      if (store_)
        store_->AppendTunerLog({{report_.run_id, report.task_id, task_progress.measured + done,
                                 "expected_gain", *gain}});
    }
    search_seconds += SecondsSince(estimate_start);
    report.expected_gain = task_progress.expected_gain;
  }
  const double fit_seconds = std::min(strategy.fit_seconds() - fit_before, search_seconds);
  report.fit_seconds += fit_seconds;
  report.search_seconds += search_seconds - fit_seconds;
  report.wall_seconds += SecondsSince(start);

  task_progress.measured += done;
  double best =
      task_progress.best_after_round.empty() ? std::nan("") : task_progress.best_after_round.back();
  if (IsBetter(objective, report.best_value, best)) best = report.best_value;
  task_progress.best_after_round.push_back(best);
  // The space ran dry, or early stopping ended the task.
  if (done < count && !StopRequested()) task_progress.exhausted = true;
}

void TuningRun::DrainStats(size_t index, int64_t batch_seq, bool batch_whole) {
  // Drained even without a store, so that a long run without one does not accumulate them.
  std::vector<TunerStat> stats = states_[index].strategy->TakeStats();
  if (!store_ || stats.empty()) return;
  std::vector<TunerLogEntry> entries;
  entries.reserve(stats.size());
  const int64_t task_id = report_.tasks[index].task_id;
  for (TunerStat& stat : stats) {
    int64_t step = stat.step;
    if (stat.per_proposal) {
      if (!batch_whole) continue;
      step += batch_seq;
    }
    entries.push_back({report_.run_id, task_id, step, std::move(stat.name), stat.value});
  }
  store_->AppendTunerLog(entries);
}

void TuningRun::Finish(size_t index) {
  TaskState& state = states_[index];
  TaskReport& report = report_.tasks[index];
  const ObjectiveInfo objective = tasks_[index].problem->objective();
  // The task's best includes what it resumed from and the default schedule: every record of
  // the task, as `tessel best` and `tessel run` see them.
  for (size_t i = 0; i < state.resumed.size(); ++i)
    TakeIfBetter(objective, state.resumed[i], state.resumed_results[i], report);
  if (state.default_config)
    TakeIfBetter(objective, *state.default_config, state.default_result, report);
  report.search_rounds = state.strategy->search_rounds();
  // Numbers reported by a NextBatch that found nothing more to propose.
  DrainStats(index, next_seq_, false);
  if (store_)
    store_->RecordRunTimes({report_.run_id, report.task_id, report.evaluations,
                            report.compile_seconds, report.run_seconds, report.fit_seconds,
                            report.search_seconds, report.wall_seconds});
}

TuningReport TuningRun::Run() {
  CheckTuning(tasks_, options_);
  const int count = static_cast<int>(tasks_.size());
  // Each task's evaluations: --trials, or a share of --budget (equal, or round by round).
  std::vector<int> targets(tasks_.size(), options_.trials);
  if (options_.budget > 0) targets = EqualShares(options_.budget, count);

  if (store_)
    report_.run_id =
        store_->BeginRun({options_.strategy_name, options_.seed, options_.command, options_.host});
  states_.resize(tasks_.size());
  progress_.resize(tasks_.size());
  report_.tasks.resize(tasks_.size());
  for (size_t index = 0; index < tasks_.size(); ++index) {
    TaskReport& report = report_.tasks[index];
    const Problem& problem = *tasks_[index].problem;
    report.label = tasks_[index].label;
    report.key = problem.key();
    progress_[index].weight = tasks_[index].weight;
    progress_[index].flops = tasks_[index].flops;
    if (!store_) continue;
    report.task_id = store_->EnsureTask(report.key, problem.objective());
    if (options_.resume) LoadResumed(index);
    LoadStored(index);
  }

  if (options_.allocation == Allocation::kEqual || options_.budget == 0) {
    for (size_t index = 0; index < tasks_.size(); ++index) {
      if (StopRequested()) break;
      const int remaining = targets[index] - progress_[index].measured;
      if (remaining <= 0) {
        Log("[" + tasks_[index].label + "] --resume: " + std::to_string(progress_[index].measured) +
            " measurements recorded, " + std::to_string(targets[index]) +
            " asked for; nothing to do");
        continue;
      }
      TuneRound(index, remaining);
    }
  } else {
    // Rounds of a few plans each, enough of them for the scheduler to choose.
    int already = 0;
    for (const TaskProgress& task : progress_) already += task.measured;
    int left = options_.budget - already;
    if (left <= 0)
      Log("--resume: " + std::to_string(already) + " measurements recorded, " +
          std::to_string(options_.budget) + " asked for; nothing to do");
    const bool predicted = options_.allocation == Allocation::kPredicted;
    while (left > 0 && !StopRequested()) {
      const std::optional<int> next = predicted ? NextPredictedTask(progress_, options_.predicted)
                                                : NextGradientTask(progress_);
      if (!next) break;
      const int before = progress_[*next].measured;
      TuneRound(*next, std::min(RoundSizeFor(progress_[*next]), left));
      left -= progress_[*next].measured - before;
      if (predicted && StoppedByModel(progress_[*next], options_.predicted)) {
        report_.tasks[*next].stopped_by_model = true;
        Log("[" + tasks_[*next].label + "] stopped: its model expects " +
            FormatPercent(*progress_[*next].expected_gain) + " from another round, less than " +
            FormatPercent(options_.predicted.min_gain) + " the last " +
            std::to_string(options_.predicted.patience) + " times");
      }
    }
    if (predicted && left > 0 && !StopRequested())
      Log(std::to_string(left) + " of the " + std::to_string(options_.budget) +
          " measurements left unspent: every task's model expects too little from more");
  }

  for (size_t index = 0; index < tasks_.size(); ++index)
    if (report_.tasks[index].started) Finish(index);
  report_.stopped_by_signal = StopSignal();
  return std::move(report_);
}

}  // namespace

void TuningOptions::Validate() const {
  if ((trials != 0) == (budget != 0))
    throw ConfigError(
        "give --trials N (measurements per task) or --budget N (measurements shared by all "
        "the selected tasks)");
  if (trials < 0 || budget < 0) throw ConfigError("--trials and --budget must be positive numbers");
  if (batch_size < 1) throw ConfigError("--batch-size must be a positive number");
  if (early_stopping < 0) throw ConfigError("--early-stopping must not be negative");
  if (allocation != Allocation::kEqual && budget == 0)
    throw ConfigError("--allocation shares a --budget between tasks; give --budget N");
  if (round_size < 0 || first_round_size < 0)
    throw ConfigError("the round size must not be negative");
  predicted.Validate();
}

BatchCallback RecordToStore(RecordStore& store) {
  return [&store](const TaskBatch& batch) {
    std::vector<std::string> texts;
    texts.reserve(batch.configs.size());
    const Space& space = batch.task.problem->space();
    for (const Config& config : batch.configs) texts.push_back(space.ToText(config));
    store.Append(batch.task_id, batch.run_id, texts, batch.evaluations);
  };
}

void CheckConstraints(const Problem& problem, const std::vector<Constraint>& constraints) {
  std::set<std::string> known = {problem.objective().name};
  for (const MetricInfo& metric : problem.metrics()) known.insert(metric.name);
  for (const Constraint& constraint : constraints) {
    if (known.count(constraint.metric)) continue;
    std::string list;
    for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
    throw ConfigError("constraint " + constraint.ToString() + ": the " + problem.key().problem +
                      " problem reports no metric '" + constraint.metric + "'; it reports " + list);
  }
}

void CheckTuning(const std::vector<TuningTask>& tasks, const TuningOptions& options) {
  TESSEL_CHECK(options.strategy != nullptr) << "a tuning run needs a strategy";
  options.Validate();
  const int count = static_cast<int>(tasks.size());
  if (options.budget > 0 && options.budget < count)
    throw ConfigError("--budget " + std::to_string(options.budget) + " cannot give each of the " +
                      std::to_string(count) + " tasks a measurement; give at least " +
                      std::to_string(count));
  for (const TuningTask& task : tasks) {
    const Problem& problem = *task.problem;
    // The strategies minimise: they learn from values where lower is better.
    if (!problem.objective().minimise)
      throw ConfigError("the " + problem.key().problem + " problem maximises its objective '" +
                        problem.objective().name +
                        "', and Tessel's strategies minimise; report it as a cost to minimise");
    CheckConstraints(problem, options.constraints);
  }
}

TuningReport Tune(std::vector<TuningTask>& tasks, RecordStore* store, const TuningOptions& options,
                  const TuningCallbacks& callbacks) {
  return TuningRun(tasks, store, options, callbacks).Run();
}

}  // namespace tessel
