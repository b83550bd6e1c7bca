// `tessel eval`: evaluates one configuration of one problem instance, records it and prints its
// status, objective and metrics.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/measure_options.h"
#include "cli/problem_catalog.h"
#include "core/error.h"
#include "core/key_values.h"
#include "records/record_store.h"

namespace tessel::cli {
namespace {

// "knob=value,knob=value" (or the records' "knob=value;knob=value") as a configuration; throws
// tessel::Error naming an unknown knob, an unknown value or a missing knob.
Config ParseConfigOption(const Space& space, const std::string& text) {
  if (text.empty())
    throw ConfigError("give the configuration as --config knob=value,knob=value,...");
  if (text.find(';') != std::string::npos) return space.FromText(text);
  std::string canonical;
  for (const auto& [knob, value] : SplitKeyValues(text, "--config")) {
    if (!canonical.empty()) canonical += ';';
    canonical += knob + "=" + value;
  }
  return space.FromText(canonical);
}

}  // namespace

int RunEval(const EvalCommandOptions& options) {
  // Everything the user gave is checked before the database is touched.
  std::vector<TuningTask> tasks =
      BuildTasks(options.tasks, options.measure, options.seed, FeatureKind::kKnob);
  const std::vector<Constraint> constraints = TaskConstraints(options.tasks, tasks);
  if (tasks.size() != 1)
    throw ConfigError("tessel eval evaluates one instance, and the options name " +
                      std::to_string(tasks.size()) + "; select one (e.g. with --layer)");
  Problem& problem = *tasks[0].problem;
  CheckConstraints(problem, constraints);
  const Config config = ParseConfigOption(problem.space(), options.config);

  RecordStore store(ResolveDbPath(options.db));
  Evaluation evaluation;
  if (problem.space().IsValid(config)) {
    evaluation = problem.Evaluate({config})[0];
    ApplyConstraints(constraints, problem.objective(), evaluation);
  } else {
    evaluation.status = EvalStatus::kInvalid;
    evaluation.error = "the configuration breaks the space's validity rule";
  }
  const int64_t run_id = store.BeginRun({"eval", options.seed, options.command_line,
                                         RunHost(problem.key().problem, options.measure)});
  const int64_t task_id = store.EnsureTask(problem.key(), problem.objective());
  store.Append({{task_id, run_id, problem.space().ToText(config), evaluation, ""}});

  const ObjectiveInfo objective = problem.objective();
  if (options.json) {
    nlohmann::json line = {
        {"problem", problem.key().problem},
        {"instance", problem.key().instance},
        {"config", ConfigJson(problem.space(), config)},
        {"status", EvalStatusName(evaluation.status)},
        {"objective", objective.name},
        {"unit", objective.unit},
        {"value", NumberOrNull(evaluation.value)},
        {"metrics", MetricsJson(evaluation.metrics)},
    };
    if (!evaluation.error.empty()) line["error"] = evaluation.error;
    std::cout << line.dump() << std::endl;
    return 0;
  }
  std::printf("%-10s %s\n", "problem", problem.key().problem.c_str());
  std::printf("%-10s %s\n", "instance", problem.key().instance.c_str());
  std::printf("%-10s %s\n", "config", problem.space().ToText(config).c_str());
  std::printf("%-10s %s%s%s\n", "status", std::string(EvalStatusName(evaluation.status)).c_str(),
              evaluation.error.empty() ? "" : ": ", evaluation.error.c_str());
  std::printf("%-10s %.6g %s\n", objective.name.c_str(), evaluation.value, objective.unit.c_str());
  std::vector<MetricInfo> declared = problem.metrics();
  for (const auto& [name, value] : evaluation.metrics) {
    std::string unit;
    for (const MetricInfo& metric : declared)
      if (metric.name == name) unit = metric.unit;
    std::printf("%-10s %.6g %s\n", name.c_str(), value, unit.c_str());
  }
  return 0;
}

}  // namespace tessel::cli
