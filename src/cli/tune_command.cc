// `tessel tune`: tunes the selected tasks with one tuner, each for --trials measurements or for
// its share of a --budget (equal, or round by round), and records every measurement.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/task_selection.h"
#include "codegen/operator_template.h"
#include "core/error.h"
#include "measure/local_measurer.h"
#include "measure/replay_measurer.h"
#include "measure/target.h"
#include "records/record_store.h"
#include "tune/model_based_tuner.h"
#include "tune/task_scheduler.h"
#include "tune/transfer.h"
#include "tune/tune_loop.h"

namespace tessel::cli {
namespace {

// One task ready to tune: its records key, its space and how to measure it.
struct PreparedTask {
  std::string label;
  int occurrences = 1;  // how often the network runs it: its weight when sharing a budget
  double flops = 0;     // 0 for replay tables, whose operator is unknown
  TaskKey key;
  std::unique_ptr<OperatorTemplate> op_template;  // real hardware only
  std::unique_ptr<ReplayTable> table;             // replay only
  const Space* space = nullptr;
  std::unique_ptr<Measurer> measurer;
};

// FNV-1a of the file's bytes: replay tables with the same name but other contents are
// different tasks.
std::string ContentHash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t hash = 1469598103934665603ULL;
  char c;
  while (in.get(c)) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

LocalMeasurerOptions MeasureOptions(const TuneCommandOptions& options, int threads) {
  LocalMeasurerOptions measure_options;
  measure_options.threads = threads;
  measure_options.repeats = options.repeats;
  measure_options.min_repeat_ms = options.min_repeat_ms;
  measure_options.warmup_ms = options.warmup_ms;
  measure_options.timeout_s = options.timeout_s;
  measure_options.compile_timeout_s = options.compile_timeout_s;
  if (options.build_jobs < 0) throw ConfigError("--build-jobs must be at least 1");
  // One more build than cores: builds are awaited in launch order, and a spare one keeps a
  // core busy while a slow build holds up the queue.
  measure_options.build_jobs =
      options.build_jobs > 0 ? options.build_jobs : DefaultThreadCount() + 1;
  measure_options.data_seed = options.seed;
  return measure_options;
}

std::vector<PreparedTask> PrepareTasks(const TuneCommandOptions& options, int threads) {
  std::vector<PreparedTask> tasks;
  const TaskSelection& selection = options.tasks;
  if (!selection.space_csv.empty()) {
    if (!selection.model.empty() || !selection.onnx.empty() || !selection.workloads.empty())
      throw ConfigError(
          "--space replays a table and cannot be combined with --model, --onnx or --workload");
    PreparedTask task;
    task.table = std::make_unique<ReplayTable>(ReplayTable::Load(selection.space_csv));
    task.label = std::filesystem::path(selection.space_csv).filename().string();
    task.key = {"replay:" + task.label + "#" + ContentHash(selection.space_csv), "replay", "replay",
                1};
    task.space = &task.table->space();
    task.measurer = std::make_unique<ReplayMeasurer>(*task.table);
    tasks.push_back(std::move(task));
    return tasks;
  }
  const std::vector<NamedWorkload> workloads = SelectWorkloads(selection);
  if (workloads.empty())
    throw ConfigError(
        "no task given; use --model M [--layer L], --onnx FILE, --workload SPEC or --space FILE");
  MeasureOptions(options, threads).Validate();
  const std::string target = HostTargetKey(threads);
  for (const NamedWorkload& item : workloads) {
    PreparedTask task;
    task.label = item.name;
    task.occurrences = item.occurrences;
    task.flops = Flops(item.workload);
    task.op_template = MakeOperatorTemplate(item.workload);
    task.key = {WorkloadSpec(item.workload), target, task.op_template->name(),
                task.op_template->version()};
    task.space = &task.op_template->space();
    tasks.push_back(std::move(task));
  }
  return tasks;
}

nlohmann::json ConfigJson(const Space& space, const Config& config) {
  nlohmann::json object = nlohmann::json::object();
  for (size_t i = 0; i < space.num_knobs(); ++i) {
    const KnobValue& value = space.Value(config, i);
    if (const auto* number = std::get_if<int64_t>(&value)) {
      object[space.knobs()[i].name] = *number;
    } else if (const auto* word = std::get_if<std::string>(&value)) {
      object[space.knobs()[i].name] = *word;
    } else {
      object[space.knobs()[i].name] = std::get<Factors>(value);
    }
  }
  return object;
}

nlohmann::json NumberOrNull(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace

int RunTune(const TuneCommandOptions& options) {
  // Everything the user gave is checked before the database is touched.
  if ((options.trials != 0) == (options.budget != 0))
    throw ConfigError(
        "give --trials N (measurements per task) or --budget N (measurements shared by all "
        "the selected tasks)");
  if (options.trials < 0 || options.budget < 0)
    throw ConfigError("--trials and --budget must be positive numbers");
  TuneOptions tune_options;
  tune_options.trials = std::max(options.trials, 1);  // set per task below
  tune_options.batch_size = options.batch_size;
  tune_options.early_stopping = options.early_stopping;
  tune_options.Validate();
  const TunerKind tuner_kind = TunerKindFromName(options.tuner);
  if (options.threads < 0) throw ConfigError("--threads must be at least 1");
  const int threads = options.threads > 0 ? options.threads : DefaultThreadCount();
  std::vector<PreparedTask> tasks = PrepareTasks(options, threads);

  const bool replay = !options.tasks.space_csv.empty();
  // auto: what ranked best in bench/FEATURES.md, knob and loop features together, both within
  // a task and across tasks; a replay table has only its knobs.
  const FeatureKind feature_kind = options.features == "auto"
                                       ? (replay ? FeatureKind::kKnob : FeatureKind::kBoth)
                                       : FeatureKindFromName(options.features);
  if (replay && feature_kind != FeatureKind::kKnob)
    throw ConfigError(
        "--features loop or both needs an operator's template, and a --space table has "
        "only knob columns; use --features knob");
  if (options.transfer && !IsModelBased(tuner_kind))
    throw ConfigError(
        "--transfer warm-starts a cost model; use it with --tuner autotvm, release, rl, sa-as, "
        "bted or bted-bao");
  std::optional<PpoSearch::Options> ppo_options;
  if (!options.ppo.empty()) {
    if (!UsesPpo(tuner_kind))
      throw ConfigError("--ppo sets the PPO agent's options; use it with --tuner release or rl");
    ppo_options = PpoSearch::Options::Parse(options.ppo);
  }
  std::optional<AdaptiveSampler::Options> sampling_options;
  if (!options.sampling.empty()) {
    if (!UsesAdaptiveSampling(tuner_kind))
      throw ConfigError(
          "--sampling sets adaptive sampling's options; use it with --tuner release or sa-as");
    sampling_options = AdaptiveSampler::Options::Parse(options.sampling);
  }
  InitialDesign init = InitialDesign::kPreset;
  if (!options.init.empty()) {
    if (!IsModelBased(tuner_kind))
      throw ConfigError(
          "--init chooses a cost model's first measurements; use it with a model-based tuner "
          "(autotvm, release, rl, sa-as, bted, bted-bao)");
    init = InitialDesignFromName(options.init);
  }
  const bool bted_design =
      IsModelBased(tuner_kind) && EffectiveInitialDesign(tuner_kind, init) == InitialDesign::kBted;
  std::optional<BtedOptions> bted_options;
  if (!options.bted.empty()) {
    if (!bted_design)
      throw ConfigError(
          "--bted sets BTED's options; use it with --tuner bted or bted-bao, or with --init bted");
    bted_options = BtedOptions::Parse(options.bted);
  }
  std::optional<BaoOptions> bao_options;
  if (!options.bao.empty()) {
    if (!UsesBao(tuner_kind))
      throw ConfigError("--bao sets BAO's options; use it with --tuner bted-bao");
    bao_options = BaoOptions::Parse(options.bao);
  }
  if (options.plan_size != -1) {
    if (!IsModelBased(tuner_kind))
      throw ConfigError(
          "--plan-size sets a cost model's batches; use it with a model-based tuner (autotvm, "
          "release, rl, sa-as, bted, bted-bao)");
    if (options.plan_size < 1) throw ConfigError("--plan-size must be at least 1");
  }
  if (options.transfer && replay)
    throw ConfigError(
        "--transfer learns from other tasks of the same template, which a --space "
        "table does not have; drop --transfer");

  // Each task's measurements: --trials, or a share of --budget (equal, or round by round).
  const Allocation allocation = AllocationFromName(options.allocation);
  if (allocation != Allocation::kEqual && options.budget == 0)
    throw ConfigError("--allocation shares a --budget between tasks; give --budget N");
  std::vector<int> targets(tasks.size(), options.trials);
  if (options.budget > 0) {
    const int count = static_cast<int>(tasks.size());
    if (options.budget < count)
      throw ConfigError("--budget " + std::to_string(options.budget) + " cannot give each of the " +
                        std::to_string(count) + " tasks a measurement; give at least " +
                        std::to_string(count));
    targets = EqualShares(options.budget, count);
  }

  RecordStore store(ResolveDbPath(options.db));
  const int64_t run_id =
      store.BeginRun({std::string(TunerKindName(tuner_kind)), options.seed, options.command_line});
  const Rng root(options.seed);

  struct Row {
    std::string label;
    int measurements;
    double best_ms, default_ms, flops;
    std::string config;
    RunTimes times;
  };
  // Everything one task keeps while the budget is shared out.
  struct TaskState {
    int64_t task_id = 0;
    std::vector<Config> resumed;
    std::vector<MeasureResult> resumed_results;
    double default_ms = std::nan("");
    std::unique_ptr<Featurizer> featurizer;
    TransferHistory history;
    std::unique_ptr<Tuner> tuner;
    TuneResult result;  // this run's measurements, accumulated over its rounds
    bool started = false;
  };
  std::vector<TaskState> states(tasks.size());
  std::vector<TaskProgress> progress(tasks.size());

  for (size_t task_index = 0; task_index < tasks.size(); ++task_index) {
    PreparedTask& task = tasks[task_index];
    TaskState& state = states[task_index];
    state.task_id = store.EnsureTask(task.key);
    const Space& space = *task.space;
    // Resuming: what the database holds for this task counts towards its measurements.
    if (options.resume) {
      for (const MeasurementRecord& record : store.History(state.task_id)) {
        Config config = space.FromText(record.config);
        if (!space.IsValid(config)) continue;
        state.resumed.push_back(std::move(config));
        state.resumed_results.push_back(record.result);
      }
    }
    TaskProgress& task_progress = progress[task_index];
    task_progress.weight = task.occurrences;
    task_progress.measured = static_cast<int>(state.resumed.size());
    if (!state.resumed.empty()) {
      double best = std::nan("");
      for (const MeasureResult& result : state.resumed_results)
        if (result.ok() && !(result.time_ms >= best)) best = result.time_ms;
      task_progress.best_after_round.push_back(best);
    }
  }

  // Prepares a task for its first round: its measurer, default schedule, model and tuner.
  auto start_task = [&](size_t task_index) {
    PreparedTask& task = tasks[task_index];
    TaskState& state = states[task_index];
    state.started = true;
    const Space& space = *task.space;
    if (!state.resumed.empty())
      std::fprintf(stderr, "[%s] --resume: %zu measurements recorded\n", task.label.c_str(),
                   state.resumed.size());
    if (task.op_template) {
      // Made here, not up front: drawing data and computing the reference takes a while.
      task.measurer =
          std::make_unique<LocalMeasurer>(*task.op_template, MeasureOptions(options, threads));
    }
    if (task.op_template && options.measure_default && state.resumed.empty()) {
      const std::vector<Config> default_config = {task.op_template->DefaultConfig()};
      const std::vector<MeasureResult> measured = task.measurer->Measure(default_config);
      store.Append({{state.task_id, run_id, space.ToText(default_config[0]), measured[0], ""}});
      state.default_ms = measured[0].time_ms;
    }
    state.featurizer = task.op_template ? MakeFeaturizer(feature_kind, *task.op_template)
                                        : std::make_unique<KnobFeaturizer>(space);
    if (options.transfer) {
      state.history = LoadTransferHistory(store, task.key, feature_kind);
      if (state.history.rows.features.size() < kMinTransferRows) {
        std::fprintf(stderr,
                     "[%s] --transfer: %zu records of %d other tasks of this template and target "
                     "in the database, fewer than %zu; starting without a base model\n",
                     task.label.c_str(), state.history.rows.features.size(), state.history.tasks,
                     kMinTransferRows);
        state.history = {};
      } else {
        std::fprintf(stderr, "[%s] --transfer: base model from %zu records of %d other tasks\n",
                     task.label.c_str(), state.history.rows.features.size(), state.history.tasks);
      }
    }
    // Each task's stream depends only on the root seed and the task, not on its position.
    const TunerContext context{space,
                               state.featurizer.get(),
                               state.history.rows.features.empty() ? nullptr : &state.history.rows,
                               ppo_options ? &*ppo_options : nullptr,
                               sampling_options ? &*sampling_options : nullptr,
                               init,
                               bted_options ? &*bted_options : nullptr,
                               bao_options ? &*bao_options : nullptr,
                               std::max(options.plan_size, 0)};
    state.tuner = MakeTuner(tuner_kind, context, root.Fork(task.key.workload));
    if (!state.resumed.empty()) state.tuner->Resume(state.resumed, state.resumed_results);
  };

  // Gives a task `count` more measurements and folds them into its progress.
  auto tune_round = [&](size_t task_index, int count) {
    PreparedTask& task = tasks[task_index];
    TaskState& state = states[task_index];
    if (!state.started) start_task(task_index);
    const Space& space = *task.space;
    auto record = [&](const std::vector<Config>& configs,
                      const std::vector<MeasureResult>& results) {
      std::vector<MeasurementRecord> batch;
      for (size_t i = 0; i < configs.size(); ++i)
        batch.push_back({state.task_id, run_id, space.ToText(configs[i]), results[i], ""});
      store.Append(batch);
    };
    tune_options.trials = count;
    const TuneResult round =
        Tune(task.label, task.flops, *state.tuner, *task.measurer, tune_options, record);
    TuneResult& total = state.result;
    const double offset = total.wall_seconds;
    for (size_t i = 0; i < round.curve.size(); ++i) {
      total.curve.push_back(std::fmin(round.curve[i], total.best_time_ms));
      total.elapsed_seconds.push_back(offset + round.elapsed_seconds[i]);
    }
    if (round.best && !(round.best_time_ms >= total.best_time_ms)) {
      total.best_time_ms = round.best_time_ms;
      total.best = round.best;
    }
    total.measurements += round.measurements;
    total.compile_seconds += round.compile_seconds;
    total.run_seconds += round.run_seconds;
    total.fit_seconds += round.fit_seconds;
    total.search_seconds += round.search_seconds;
    total.wall_seconds += round.wall_seconds;
    TaskProgress& task_progress = progress[task_index];
    task_progress.measured += round.measurements;
    double best = task_progress.best_after_round.empty() ? std::nan("")
                                                         : task_progress.best_after_round.back();
    if (!(total.best_time_ms >= best)) best = total.best_time_ms;
    task_progress.best_after_round.push_back(best);
    // The space ran dry, or early stopping ended the task.
    if (round.measurements < count) task_progress.exhausted = true;
  };

  if (allocation == Allocation::kEqual || options.budget == 0) {
    for (size_t task_index = 0; task_index < tasks.size(); ++task_index) {
      const int remaining = targets[task_index] - progress[task_index].measured;
      if (remaining <= 0) {
        std::fprintf(
            stderr, "[%s] --resume: %d measurements recorded, %d asked for; nothing to do\n",
            tasks[task_index].label.c_str(), progress[task_index].measured, targets[task_index]);
        continue;
      }
      tune_round(task_index, remaining);
    }
  } else {
    // Rounds of a few plans each, enough of them for the scheduler to choose.
    int already = 0;
    for (const TaskProgress& task_progress : progress) already += task_progress.measured;
    int left = options.budget - already;
    const int round_size =
        std::clamp(options.budget / (4 * static_cast<int>(tasks.size())) / 8 * 8, 8, 64);
    if (left <= 0)
      std::fprintf(stderr, "--resume: %d measurements recorded, %d asked for; nothing to do\n",
                   already, options.budget);
    while (left > 0) {
      const std::optional<int> next = NextGradientTask(progress);
      if (!next) break;
      const int count = std::min(round_size, left);
      const int before = progress[*next].measured;
      tune_round(*next, count);
      left -= progress[*next].measured - before;
    }
  }

  std::vector<Row> rows;
  for (size_t task_index = 0; task_index < tasks.size(); ++task_index) {
    const PreparedTask& task = tasks[task_index];
    TaskState& state = states[task_index];
    if (!state.started) continue;
    const Space& space = *task.space;
    TuneResult& result = state.result;
    const std::vector<Config>& resumed = state.resumed;
    const std::unique_ptr<Tuner>& tuner = state.tuner;
    const double default_ms = state.default_ms;
    // The task's best includes what it resumed from.
    for (size_t i = 0; i < resumed.size(); ++i)
      if (state.resumed_results[i].ok() &&
          !(state.resumed_results[i].time_ms >= result.best_time_ms)) {
        result.best_time_ms = state.resumed_results[i].time_ms;
        result.best = resumed[i];
      }
    const RunTimes times{run_id,
                         state.task_id,
                         result.measurements,
                         result.compile_seconds,
                         result.run_seconds,
                         result.fit_seconds,
                         result.search_seconds,
                         result.wall_seconds};
    store.RecordRunTimes(times);
    if (options.json) {
      nlohmann::json line = {
          {"task", task.label},
          {"workload", task.key.workload},
          {"tuner", TunerKindName(tuner_kind)},
          {"seed", options.seed},
          {"measurements", result.measurements},
          {"best_time_ms", NumberOrNull(result.best_time_ms)},
          {"best_gflops",
           NumberOrNull(task.flops > 0 ? task.flops / result.best_time_ms / 1e6 : std::nan(""))},
          {"best_config", result.best ? ConfigJson(space, *result.best) : nlohmann::json(nullptr)},
          {"default_time_ms", NumberOrNull(default_ms)},
      };
      nlohmann::json curve = nlohmann::json::array();
      for (double value : result.curve) curve.push_back(NumberOrNull(value));
      line["curve"] = std::move(curve);
      nlohmann::json elapsed = nlohmann::json::array();
      for (double seconds : result.elapsed_seconds)
        elapsed.push_back(std::round(seconds * 1e3) / 1e3);
      line["elapsed_s"] = std::move(elapsed);
      line["features"] = FeatureKindName(feature_kind);
      if (UsesPpo(tuner_kind)) line["ppo"] = ppo_options.value_or(PpoSearch::Options()).ToString();
      if (IsModelBased(tuner_kind)) line["init"] = bted_design ? "bted" : "random";
      if (bted_design) line["bted"] = bted_options.value_or(BtedOptions()).ToString();
      if (UsesBao(tuner_kind)) line["bao"] = bao_options.value_or(BaoOptions()).ToString();
      if (IsModelBased(tuner_kind))
        line["plan_size"] =
            options.plan_size > 0 ? options.plan_size : ModelBasedTuner::Options().plan_size;
      // What the run changed from its preset's defaults, to tell variants apart in tables.
      std::string variant;
      for (const auto& [name, spec] :
           {std::pair{"init", options.init}, std::pair{"ppo", options.ppo},
            std::pair{"sampling", options.sampling}, std::pair{"bted", options.bted},
            std::pair{"bao", options.bao},
            std::pair{"plan", options.plan_size > 0 ? std::to_string(options.plan_size) : ""}}) {
        if (spec.empty()) continue;
        if (!variant.empty()) variant += ' ';
        variant += std::string(name) + ":" + spec;
      }
      if (!variant.empty()) line["variant"] = variant;
      line["transfer_records"] = state.history.rows.features.size();
      if (options.resume) line["resumed"] = resumed.size();
      line["seconds"] = {{"compile", times.compile_s},
                         {"run", times.run_s},
                         {"fit", times.fit_s},
                         {"search", times.search_s},
                         {"wall", times.wall_s}};
      nlohmann::json rounds = nlohmann::json::array();
      for (const SearchRound& round : tuner->search_rounds()) {
        nlohmann::json entry = {
            {"measured", round.measured}, {"steps", round.steps}, {"planned", round.planned}};
        if (round.radius > 0) entry["radius"] = round.radius;
        rounds.push_back(std::move(entry));
      }
      line["search_rounds"] = std::move(rounds);
      std::cout << line.dump() << std::endl;
    }
    rows.push_back({task.label, result.measurements, result.best_time_ms, default_ms, task.flops,
                    result.best ? space.ToText(*result.best) : "-", times});
  }

  if (!options.json) {
    std::printf("%-10s %7s %10s %10s %12s  %s\n", "task", "trials", "best ms", "GFLOP/s",
                "% of default", "best config");
    for (const Row& row : rows) {
      const double gflops = row.flops > 0 ? row.flops / row.best_ms / 1e6 : std::nan("");
      char versus[32] = "-";
      if (std::isfinite(row.default_ms) && std::isfinite(row.best_ms))
        std::snprintf(versus, sizeof(versus), "%.0f%%", 100.0 * row.default_ms / row.best_ms);
      std::printf("%-10s %7d %10.4g %10.1f %12s  %s\n", row.label.c_str(), row.measurements,
                  row.best_ms, gflops, versus, row.config.c_str());
    }
    // Where the wall time went (the rest is recording and progress output).
    std::printf("\n%-10s %9s %9s %9s %9s %9s\n", "task", "wall s", "compile s", "run s", "fit s",
                "search s");
    for (const Row& row : rows) {
      const RunTimes& t = row.times;
      std::printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f\n", row.label.c_str(), t.wall_s, t.compile_s,
                  t.run_s, t.fit_s, t.search_s);
    }
  }
  return 0;
}

}  // namespace tessel::cli
