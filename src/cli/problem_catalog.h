// The problems the command line knows, by name: what `tessel problems` lists and what
// --problem selects. The engine knows no problem by name; this is the one place that does.
// Adding a problem: its folder under src/problems/, one entry in problem_catalog.cc, and the
// options that select its instances in main.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "problems/schedule/loop_features.h"
#include "tune/tuning.h"

namespace tessel::cli {

struct ProblemEntry {
  std::string_view name;
  std::string_view summary;    // one line
  std::string_view instances;  // the options that select instances, e.g. "--space FILE"
  // The knobs an instance has, as `tessel problems` describes them (one line each).
  std::vector<std::string> (*describe_knobs)();
  // An instance's objective and metrics, for the listing (the same for every instance).
  ObjectiveInfo (*objective)();
  std::vector<MetricInfo> (*metrics)();
};

const std::vector<ProblemEntry>& ProblemCatalog();

// The named problem, or the one the selection's options imply (--space: replay; --net: accel;
// --model, --onnx, --workload: schedule). Throws tessel::Error naming the known problems, or saying
// which options the problem needs, when they do not fit.
const ProblemEntry& ResolveProblem(const TaskSelection& selection);

// The tasks the selection names. `features` is what cost models see of a schedule task.
std::vector<TuningTask> BuildTasks(const TaskSelection& selection, const MeasureFlags& measure,
                                   uint64_t seed, FeatureKind features);

// The constraints the selection gives, for the tasks BuildTasks made of it: "metric<=limit" as
// written, a bare "area" or "power" as the accel problem's budget. Throws tessel::Error for a
// malformed one, or a bare one on another problem.
std::vector<Constraint> TaskConstraints(const TaskSelection& selection,
                                        const std::vector<TuningTask>& tasks);

}  // namespace tessel::cli
