// `tessel tune`: builds the selected tasks and the tuner, calls the library's Tune (which
// shares the budget, resumes, evaluates defaults and records every measurement) and prints
// its report.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/measure_options.h"
#include "cli/noc_tune.h"
#include "cli/problem_catalog.h"
#include "core/error.h"
#include "core/stop_request.h"
#include "problems/replay/replay_problem.h"
#include "problems/schedule/schedule_problem.h"
#include "records/record_store.h"
#include "tune/presets.h"
#include "tune/progress_display.h"
#include "tune/tuning.h"

namespace tessel::cli {

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
  tuning.allocation = AllocationFromName(options.allocation);
  tuning.progress = ProgressModeFromName(options.progress) != ProgressMode::kNone;
  tuning.Validate();
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
  if (options.transfer && !model_based)
    throw ConfigError("--transfer warm-starts a cost model; use it with --tuner " +
                      PresetNames(is_model_based));
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
  if (options.transfer && replay)
    throw ConfigError(
        "--transfer learns from other tasks of the same template, which a --space "
        "table does not have; drop --transfer");
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
    return MakeStrategy(preset,
                        {inputs.problem.space(), &inputs.featurizer, inputs.history,
                         inputs.problem.decision_steps(), planned},
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

  for (size_t index = 0; index < tasks.size(); ++index) {
    const TaskReport& result = report.tasks[index];
    if (!result.started) continue;
    const Space& space = tasks[index].problem->space();
    const double flops = tasks[index].flops;
    if (options.json) {
      const ObjectiveInfo objective = tasks[index].problem->objective();
      nlohmann::json line = {
          {"task", result.label},
          {"problem", result.key.problem},
          {"workload", result.key.instance},
          {"tuner", preset.name},
          {"seed", options.seed},
          {"measurements", result.evaluations},
          {"objective", objective.name},
          {"unit", objective.unit},
          {"best_value", NumberOrNull(result.best_value)},
          {"best_metrics", MetricsJson(result.best_metrics)},
          {"best_config", result.best ? ConfigJson(space, *result.best) : nlohmann::json(nullptr)},
          {"default_value", NumberOrNull(result.default_value)},
      };
      // Problems that minimise a time in ms also give it under the names of earlier releases.
      if (objective.name == "time" && objective.unit == "ms") {
        line["best_time_ms"] = line["best_value"];
        line["default_time_ms"] = line["default_value"];
        line["best_gflops"] =
            NumberOrNull(flops > 0 ? flops / result.best_value / 1e6 : std::nan(""));
      }
      if (!tuning.constraints.empty()) {
        nlohmann::json constraints = nlohmann::json::array();
        for (const Constraint& constraint : tuning.constraints)
          constraints.push_back(constraint.ToString());
        line["constraints"] = std::move(constraints);
      }
      nlohmann::json curve = nlohmann::json::array();
      for (double value : result.curve) curve.push_back(NumberOrNull(value));
      line["curve"] = std::move(curve);
      nlohmann::json elapsed = nlohmann::json::array();
      for (double seconds : result.elapsed_seconds)
        elapsed.push_back(std::round(seconds * 1e3) / 1e3);
      line["elapsed_s"] = std::move(elapsed);
      if (tasks[index].problem->repeatable()) line["reused"] = result.reused;
      line["features"] = FeatureKindName(feature_kind);
      if (uses_ppo(preset)) line["ppo"] = strategy_options.roles.ppo.ToString();
      if (model_based) line["init"] = bted_design ? "bted" : "random";
      if (bted_design) line["bted"] = strategy_options.roles.bted.ToString();
      if (uses_bao(preset)) line["bao"] = strategy_options.roles.bao.ToString();
      if (genetic) line["ga"] = strategy_options.genetic.ToString();
      if (releq) line["releq"] = strategy_options.releq.ToString();
      if (model_based)
        line["plan_size"] =
            options.plan_size > 0 ? options.plan_size : ModelRoleOptions().plan_size;
      // What the run changed from its preset's defaults, to tell variants apart in tables.
      std::string variant;
      for (const auto& [name, spec] :
           {std::pair{"init", options.init}, std::pair{"ppo", options.ppo},
            std::pair{"sampling", options.sampling}, std::pair{"bted", options.bted},
            std::pair{"bao", options.bao}, std::pair{"ga", options.ga},
            std::pair{"releq", options.releq},
            std::pair{"plan", options.plan_size > 0 ? std::to_string(options.plan_size) : ""}}) {
        if (spec.empty()) continue;
        if (!variant.empty()) variant += ' ';
        variant += std::string(name) + ":" + spec;
      }
      if (!variant.empty()) line["variant"] = variant;
      line["transfer_records"] = result.transfer_rows;
      if (options.resume) line["resumed"] = result.resumed;
      line["seconds"] = {{"compile", result.compile_seconds},
                         {"run", result.run_seconds},
                         {"fit", result.fit_seconds},
                         {"search", result.search_seconds},
                         {"wall", result.wall_seconds}};
      nlohmann::json rounds = nlohmann::json::array();
      for (const SearchRound& round : result.search_rounds) {
        nlohmann::json entry = {
            {"measured", round.measured}, {"steps", round.steps}, {"planned", round.planned}};
        if (round.radius > 0) entry["radius"] = round.radius;
        rounds.push_back(std::move(entry));
      }
      line["search_rounds"] = std::move(rounds);
      std::cout << line.dump() << std::endl;
    }
  }

  if (!options.json) {
    const ObjectiveInfo objective = tasks.front().problem->objective();
    std::printf("%-10s %7s %12s %10s %12s  %s\n", "task", "trials",
                ("best " + (objective.unit == "ms" ? objective.unit : objective.name)).c_str(),
                "GFLOP/s", "% of default", "best config");
    for (size_t index = 0; index < tasks.size(); ++index) {
      const TaskReport& result = report.tasks[index];
      if (!result.started) continue;
      const double flops = tasks[index].flops;
      const double gflops = flops > 0 ? flops / result.best_value / 1e6 : std::nan("");
      char versus[32] = "-";
      if (std::isfinite(result.default_value) && std::isfinite(result.best_value))
        std::snprintf(versus, sizeof(versus), "%.0f%%",
                      100.0 * result.default_value / result.best_value);
      char rate[32] = "-";
      if (std::isfinite(gflops)) std::snprintf(rate, sizeof(rate), "%.1f", gflops);
      std::printf("%-10s %7d %12.4g %10s %12s  %s\n", result.label.c_str(), result.evaluations,
                  result.best_value, rate, versus,
                  result.best ? tasks[index].problem->space().ToText(*result.best).c_str() : "-");
    }
    // Where the wall time went (the rest is recording and progress output).
    std::printf("\n%-10s %9s %9s %9s %9s %9s\n", "task", "wall s", "compile s", "run s", "fit s",
                "search s");
    for (const TaskReport& result : report.tasks) {
      if (!result.started) continue;
      std::printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f\n", result.label.c_str(),
                  result.wall_seconds, result.compile_seconds, result.run_seconds,
                  result.fit_seconds, result.search_seconds);
    }
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
