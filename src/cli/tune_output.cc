#include "cli/tune_output.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"

namespace tessel::cli {

void PrintTuneJson(const TuneSummary& summary) {
  const std::vector<TuningTask>& tasks = summary.tasks;
  const TuningReport& report = summary.report;
  const Preset& preset = summary.preset;
  const TuneCommandOptions& options = summary.options;
  const StrategyOptions& strategy_options = summary.strategy_options;
  const bool model_based = preset.model_based;
  const bool uses_ppo = model_based && preset.roles.search == SearchKind::kPpo;
  const bool uses_bao = model_based && preset.roles.search == SearchKind::kBao;
  for (size_t index = 0; index < tasks.size(); ++index) {
    const TaskReport& result = report.tasks[index];
    if (!result.started) continue;
    const Space& space = tasks[index].problem->space();
    const double flops = tasks[index].flops;
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
    if (!summary.constraints.empty()) {
      nlohmann::json constraints = nlohmann::json::array();
      for (const Constraint& constraint : summary.constraints)
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
    line["features"] = FeatureKindName(summary.feature_kind);
    if (uses_ppo) line["ppo"] = strategy_options.roles.ppo.ToString();
    if (model_based) line["init"] = summary.bted_design ? "bted" : "random";
    if (summary.bted_design) line["bted"] = strategy_options.roles.bted.ToString();
    if (uses_bao) line["bao"] = strategy_options.roles.bao.ToString();
    if (preset.name == "ga") line["ga"] = strategy_options.genetic.ToString();
    if (preset.name == "releq") line["releq"] = strategy_options.releq.ToString();
    if (model_based) line["plan_size"] = preset.plan(strategy_options);
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
    if (options.budget > 0) line["allocation"] = AllocationName(summary.allocation);
    if (options.resume) line["resumed"] = result.resumed;
    if (result.expected_gain) line["expected_gain"] = *result.expected_gain;
    if (result.stopped_by_model) line["stopped_by_model"] = true;
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

void PrintTuneTable(const TuneSummary& summary) {
  const std::vector<TuningTask>& tasks = summary.tasks;
  const TuningReport& report = summary.report;
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
    std::printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f\n", result.label.c_str(), result.wall_seconds,
                result.compile_seconds, result.run_seconds, result.fit_seconds,
                result.search_seconds);
  }
}

}  // namespace tessel::cli
