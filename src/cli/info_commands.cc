// `tessel problems`, `tessel zoo` and `tessel space`: which problems there are, what the tasks
// are and how large their spaces are.
#include <cstdio>

#include "cli/commands.h"
#include "cli/problem_catalog.h"
#include "cli/task_selection.h"
#include "core/error.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/zoo.h"

namespace tessel::cli {

int RunProblems() {
  for (const ProblemEntry& entry : ProblemCatalog()) {
    const ObjectiveInfo objective = entry.objective();
    std::printf("%s: %s\n", std::string(entry.name).c_str(), std::string(entry.summary).c_str());
    std::printf("  instances  %s\n", std::string(entry.instances).c_str());
    for (const std::string& knobs : entry.describe_knobs())
      std::printf("  knobs      %s\n", knobs.c_str());
    std::printf("  objective  %s (%s, %s)\n", objective.name.c_str(), objective.unit.c_str(),
                objective.minimise ? "minimised" : "maximised");
    for (const MetricInfo& metric : entry.metrics())
      std::printf("  metric     %s (%s): %s\n", metric.name.c_str(), metric.unit.c_str(),
                  metric.meaning.c_str());
  }
  return 0;
}

int RunZoo(const std::string& model_name) {
  std::vector<const ZooModel*> models;
  if (model_name.empty()) {
    for (const ZooModel& model : Zoo()) models.push_back(&model);
  } else {
    models.push_back(&FindModel(model_name));
  }
  for (const ZooModel* model : models) {
    double total = 0;
    for (const ZooLayer& layer : model->layers) total += Flops(layer.workload) * layer.occurrences;
    std::printf("%s: %zu tasks, %.3f GFLOP per inference\n", model->name.c_str(),
                model->layers.size(), total / 1e9);
    for (const ZooLayer& layer : model->layers)
      std::printf("  %-7s x%d  %8.4f GFLOP  %s\n", layer.name.c_str(), layer.occurrences,
                  Flops(layer.workload) / 1e9, WorkloadSpec(layer.workload).c_str());
  }
  return 0;
}

int RunSpace(const TaskSelection& tasks) {
  if (!tasks.problem.empty() && tasks.problem != "schedule")
    throw ConfigError("tessel space describes the schedule problem's templates; for '" +
                      tasks.problem + "' see 'tessel problems'");
  const std::vector<NamedWorkload> workloads = SelectWorkloads(tasks);
  if (workloads.empty()) throw ConfigError("no task given; use --model M or --workload SPEC");
  std::printf("%-8s %-10s %6s %14s %16s  %s\n", "task", "template", "knobs", "configurations",
              "valid", "workload");
  for (const NamedWorkload& item : workloads) {
    const auto tmpl = MakeOperatorTemplate(item.workload);
    const Space& space = tmpl->space();
    const Space::ValidCount valid = space.CountValid();
    char valid_text[32];
    std::snprintf(valid_text, sizeof(valid_text), valid.exact ? "%.0f" : "~%.3g", valid.count);
    // Size() saturates past 2^64, so a space that large is shown as a bound, not a count.
    char size_text[32];
    std::snprintf(size_text, sizeof(size_text), space.indexable() ? "%.4g" : ">%.4g",
                  static_cast<double>(space.Size()));
    std::printf("%-8s %-10s %6zu %14s %16s  %s\n", item.name.c_str(), tmpl->name().c_str(),
                space.num_knobs(), size_text, valid_text, WorkloadSpec(item.workload).c_str());
  }
  return 0;
}

}  // namespace tessel::cli
