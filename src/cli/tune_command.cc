// `tessel tune`: builds the selected tasks and the tuner, calls the library's Tune (which
// shares the budget, resumes, evaluates defaults and records every measurement) and prints
// its report.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/measure_options.h"
#include "cli/noc_tune.h"
#include "cli/problem_catalog.h"
#include "cli/tune_output.h"
#include "core/error.h"
#include "core/stop_request.h"
#include "problems/replay/replay_problem.h"
#include "problems/schedule/schedule_problem.h"
#include "records/record_store.h"
#include "records/records_file.h"
#include "tune/presets.h"
#include "tune/progress_display.h"
#include "tune/tuning.h"

namespace tessel::cli {

namespace {

// The records file --prior names: "none" for none; "auto" for the repository's own prior when
// the default tuner tunes schedules (the tuner bench/tuning_time chose it for; the other
// presets stay as their papers describe them), and it is there.
std::string PriorFile(const TuneCommandOptions& options, const Preset& preset, bool schedules) {
  if (options.prior == "none") return "";
  if (options.prior != "auto") return options.prior;
  const std::string shipped = std::string(TESSEL_DATA_DIR) + "/schedule_prior.jsonl.gz";
  if (preset.name != "tessel" || !schedules || options.transfer ||
      !std::filesystem::exists(shipped))
    return "";
  return shipped;
}

// --allocation auto: predicted where it measured best, for the tessel tuner sharing a --budget
// with a prior (bench/tuning_time: ahead of equal shares at a fifth of autotvm's time, level
// with them at the end); equal otherwise, as without a prior the early estimates starve tasks.
Allocation ResolveAllocation(const TuneCommandOptions& options, const Preset& preset, bool prior) {
  if (options.allocation == "auto")
    return options.budget > 0 && prior && EstimatesGain(preset) ? Allocation::kPredicted
                                                                : Allocation::kEqual;
  try {
    return AllocationFromName(options.allocation);
  } catch (const Error&) {  // its message would not name auto
    throw ConfigError("unknown allocation '" + options.allocation + "'; known: auto, " +
                      AllocationNames());
  }
}

}  // namespace

int RunTune(const TuneCommandOptions& options) {
  if (IsRoutingAgent(options.tuner)) return RunRoutingAgentTune(options);
  // Everything the user gave is checked before the database is touched.
  TuningOptions tuning;
  tuning.trials = options.trials;
  tuning.budget = options.budget;
  tuning.batch_size = options.batch_size;
  tuning.early_stopping = options.early_stopping;
  tuning.resume = options.resume;
  tuning.evaluate_default = options.measure_default;
  tuning.transfer = options.transfer;
  tuning.seed = options.seed;
  tuning.command = options.command_line;
  const Preset& preset = FindPreset(options.tuner);
  tuning.strategy_name = std::string(preset.name);
  const bool model_based = preset.model_based;
  const std::string_view problem_name = ResolveProblem(options.tasks).name;
  const bool replay = problem_name == ReplayProblem::kName;
  // Loop features describe an operator's template: only the schedule problem has them.
  const bool has_loops = problem_name == ScheduleProblem::kName;
  // auto: what ranked best in bench/features, knob and loop features together, both within
  // a task and across tasks; other problems have only their knobs.
  const FeatureKind feature_kind = options.features == "auto"
                                       ? (has_loops ? FeatureKind::kBoth : FeatureKind::kKnob)
                                       : FeatureKindFromName(options.features);
  const std::string prior_file = PriorFile(options, preset, has_loops);
  const bool prior = !prior_file.empty();
  tuning.allocation = ResolveAllocation(options, preset, prior);
  tuning.predicted.min_gain = options.min_gain;
  tuning.progress = ProgressModeFromName(options.progress) != ProgressMode::kNone;
  tuning.Validate();
  if (!has_loops && feature_kind != FeatureKind::kKnob)
    throw ConfigError("--features loop or both needs an operator's template, and the " +
                      std::string(problem_name) + " problem has only knobs; use --features knob");
  auto is_model_based = [](const Preset& p) { return p.model_based; };
  auto uses_ppo = [](const Preset& p) {
    return p.model_based && p.roles.search == SearchKind::kPpo;
  };
  auto uses_sampling = [](const Preset& p) {
    return p.model_based && p.roles.selector == SelectorKind::kAdaptive;
  };
  auto uses_bao = [](const Preset& p) {
    return p.model_based && p.roles.search == SearchKind::kBao;
  };
  auto uses_bted = [](const Preset& p) {
    return p.model_based && p.roles.design == DesignKind::kBted;
  };
  if ((options.transfer || prior) && !model_based)
    throw ConfigError(std::string(prior ? "--prior" : "--transfer") +
                      " warm-starts a cost model; use it with --tuner " +
                      PresetNames(is_model_based));
  if (options.transfer && prior)
    throw ConfigError("--transfer and --prior both warm-start the cost model; give one");
  StrategyOptions strategy_options;
  if (!options.ppo.empty()) {
    if (!uses_ppo(preset))
      throw ConfigError("--ppo sets the PPO agent's options; use it with --tuner " +
                        PresetNames(uses_ppo));
    strategy_options.roles.ppo = PpoSearch::Options::Parse(options.ppo);
  }
  if (!options.sampling.empty()) {
    if (!uses_sampling(preset))
      throw ConfigError("--sampling sets adaptive sampling's options; use it with --tuner " +
                        PresetNames(uses_sampling));
    strategy_options.roles.sampling = AdaptiveSampler::Options::Parse(options.sampling);
  }
  if (!options.init.empty()) {
    if (!model_based)
      throw ConfigError(
          "--init chooses a cost model's first measurements; use it with a model-based tuner "
          "(" +
          PresetNames(is_model_based) + ")");
    strategy_options.design = DesignKindFromName(options.init);
  }
  const bool bted_design = model_based && preset.design(strategy_options) == DesignKind::kBted;
  if (!options.bted.empty()) {
    if (!bted_design)
      throw ConfigError("--bted sets BTED's options; use it with --tuner " +
                        PresetNames(uses_bted) + ", or with --init bted");
    strategy_options.roles.bted = BtedOptions::Parse(options.bted);
  }
  if (!options.bao.empty()) {
    if (!uses_bao(preset))
      throw ConfigError("--bao sets BAO's options; use it with --tuner " + PresetNames(uses_bao));
    strategy_options.roles.bao = BaoOptions::Parse(options.bao);
  }
  const bool genetic = preset.name == "ga";
  if (!options.ga.empty()) {
    if (!genetic)
      throw ConfigError("--ga sets the genetic algorithm's options; use it with --tuner ga");
    strategy_options.genetic = GeneticTuner::Options::Parse(options.ga);
  }
  if (!options.rl.empty())
    throw ConfigError(
        "--rl sets a routing agent's options; use it with --tuner q-learning, "
        "sarsa or expected-sarsa (noc)");
  const bool releq = preset.name == "releq";
  if (!options.releq.empty()) {
    if (!releq)
      throw ConfigError("--releq sets ReLeQ's agent's options; use it with --tuner releq");
    strategy_options.releq = ReleqTuner::Options::Parse(options.releq);
  }

  if (options.plan_size != -1) {
    if (!model_based)
      throw ConfigError(
          "--plan-size sets a cost model's batches; use it with a model-based tuner (" +
          PresetNames(is_model_based) + ")");
    if (options.plan_size < 1) throw ConfigError("--plan-size must be at least 1");
    strategy_options.plan_size = options.plan_size;
  }
  if (tuning.allocation == Allocation::kPredicted) {
    if (!EstimatesGain(preset))
      throw ConfigError(
          "--allocation predicted needs a model that estimates what is left to gain; use it "
          "with --tuner " +
          PresetNames(EstimatesGain));
    // A round is one plan: the model is refit, and asked again, after each.
    tuning.round_size = preset.plan(strategy_options);
    // A task's first round is one batch: a quick pass over the network measures every task's
    // first picks (the prior's best guesses, with one) before any task gets more
    // (bench/tuning_time/README.md).
    tuning.first_round_size = std::min(tuning.batch_size, tuning.round_size);
  }
  if ((options.transfer || prior) && replay) {
    const std::string flag = prior ? "--prior" : "--transfer";
    throw ConfigError(flag +
                      " learns from other tasks of the same template, which a --space table "
                      "does not have; drop " +
                      flag);
  }
  const std::unique_ptr<RecordStore> prior_records = prior ? LoadRecordsFile(prior_file) : nullptr;
  tuning.prior = prior_records.get();
  std::vector<TuningTask> tasks =
      BuildTasks(options.tasks, options.measure, options.seed, feature_kind);
  tuning.constraints = TaskConstraints(options.tasks, tasks);
  // A task's planned evaluations: its --trials, or its equal share of --budget (strategies
  // that change phase part way use it; under gradient allocation the share is a guess).
  const int planned =
      options.trials > 0 ? options.trials : options.budget / std::max<int>(1, tasks.size());
  for (const TuningTask& task : tasks)
    CheckPresetFits(
        preset, {task.problem->space(), nullptr, nullptr, task.problem->decision_steps(), planned},
        strategy_options);
  tuning.strategy = [&](const StrategyInputs& inputs) {
    const Problem& problem = inputs.problem;
    return MakeStrategy(
        preset,
        {problem.space(), &inputs.featurizer, inputs.history, problem.decision_steps(), planned,
         [&problem](const Config& config) { return problem.Canonical(config); }},
        strategy_options, inputs.rng);
  };
  CheckTuning(tasks, tuning);
  tuning.host = RunHost(problem_name, options.measure);

  TuningReport report;
  {
    RecordStore store(ResolveDbPath(options.db));
    ProgressOptions shown;
    shown.mode = ProgressModeFromName(options.progress);
    shown.total = options.resume ? 0 : options.budget + options.trials * int(tasks.size());
    for (const TuningTask& task : tasks) shown.labels.push_back(task.label);
    ProgressSession session(std::move(shown));  // its final state printed here, error or not
    report = Tune(tasks, &store, tuning, {{}, PrintAboveProgress});
  }  // the records are closed here, before the report is printed or a stop ends the process

  const TuneSummary summary{tasks,
                            report,
                            preset,
                            options,
                            strategy_options,
                            feature_kind,
                            tuning.allocation,
                            bted_design,
                            tuning.constraints};
  if (options.json) {
    PrintTuneJson(summary);
  } else {
    PrintTuneTable(summary);
  }
  // A stop requested while the report printed counts too: the run is over either way, and
  // whoever sent the signal expects the process to end by it.
  if (const int signal_number = StopSignal()) {
    int measured = 0;
    for (const TaskReport& result : report.tasks) measured += result.evaluations;
    std::fprintf(stderr,
                 "tessel: stopped by %s after %d measurements, all of them recorded; run again "
                 "with --resume to go on\n",
                 SignalName(signal_number).c_str(), measured);
    // The libraries' teardown (a third of a second on a busy machine) is skipped: whoever
    // stopped the run is waiting.
    std::cout.flush();
    DieOfStopSignal();
  }
  return 0;
}

}  // namespace tessel::cli
