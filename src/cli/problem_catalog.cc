#include "cli/problem_catalog.h"

#include "cli/task_selection.h"
#include "core/error.h"
#include "problems/replay/replay_problem.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/schedule_problem.h"
#include "problems/schedule/target.h"

namespace tessel::cli {
namespace {

// A template's knobs with their value counts, e.g. "conv2d: tile_f (84), ...".
std::string TemplateKnobs(const std::string& label, const std::string& spec) {
  const auto op = MakeOperatorTemplate(ParseWorkloadSpec(spec));
  std::string line = label + " (" + op->name() + " v" + std::to_string(op->version()) + "):";
  for (const Knob& knob : op->space().knobs())
    line += " " + knob.name + "[" + std::to_string(knob.values.size()) + "]";
  return line;
}

std::vector<std::string> ScheduleKnobs() {
  // The knobs are the template's; their values depend on the workload's shape (the counts
  // here are of ResNet-18's 3x3 64-channel layer and its classifier).
  return {TemplateKnobs("conv2d", "conv2d:c=64,h=56,w=56,k=64,r=3,s=3,stride=1,pad=1"),
          TemplateKnobs("dense", "dense:in=512,out=1000")};
}

std::vector<std::string> ReplayKnobs() {
  return {"one knob per column of the table besides time_ms; its values are the column's"};
}

LocalMeasurerOptions MeasureOptions(const MeasureFlags& flags, uint64_t seed) {
  if (flags.threads < 0) throw ConfigError("--threads must be at least 1");
  if (flags.build_jobs < 0) throw ConfigError("--build-jobs must be at least 1");
  LocalMeasurerOptions options;
  options.threads = flags.threads > 0 ? flags.threads : DefaultThreadCount();
  options.repeats = flags.repeats;
  options.min_repeat_ms = flags.min_repeat_ms;
  options.warmup_ms = flags.warmup_ms;
  options.timeout_s = flags.timeout_s;
  options.compile_timeout_s = flags.compile_timeout_s;
  // One more build than cores: builds are awaited in launch order, and a spare one keeps a
  // core busy while a slow build holds up the queue.
  options.build_jobs = flags.build_jobs > 0 ? flags.build_jobs : DefaultThreadCount() + 1;
  options.data_seed = seed;
  options.Validate();
  return options;
}

}  // namespace

const std::vector<ProblemEntry>& ProblemCatalog() {
  static const std::vector<ProblemEntry> catalog = {
      {ScheduleProblem::kName,
       "the schedule of a DNN operator, compiled with Halide and timed on this CPU",
       "--model M [--layer L] [--op OP], --onnx FILE, or --workload SPEC", ScheduleKnobs,
       ScheduleProblem::Objective, ScheduleProblem::DeclaredMetrics},
      {ReplayProblem::kName, "a table of configurations measured earlier, replayed", "--space FILE",
       ReplayKnobs, ReplayProblem::Objective, ReplayProblem::DeclaredMetrics},
  };
  return catalog;
}

const ProblemEntry& ResolveProblem(const TaskSelection& selection) {
  const bool schedule_options =
      !selection.model.empty() || !selection.onnx.empty() || !selection.workloads.empty();
  const bool replay_options = !selection.space_csv.empty();
  std::string name = selection.problem;
  if (name.empty()) {
    if (replay_options && schedule_options)
      throw ConfigError(
          "--space replays a table and cannot be combined with --model, --onnx or --workload");
    name = replay_options ? ReplayProblem::kName : ScheduleProblem::kName;
  }
  for (const ProblemEntry& entry : ProblemCatalog()) {
    if (entry.name != name) continue;
    const bool others = entry.name == ReplayProblem::kName ? schedule_options : replay_options;
    if (others)
      throw ConfigError("the " + name + " problem takes its instances from " +
                        std::string(entry.instances) + "; drop the other problem's options");
    return entry;
  }
  std::string known;
  for (const ProblemEntry& entry : ProblemCatalog())
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  throw ConfigError("unknown problem '" + name + "'; known problems: " + known +
                    " ('tessel problems' describes them)");
}

std::vector<TuningTask> BuildTasks(const TaskSelection& selection, const MeasureFlags& measure,
                                   uint64_t seed, FeatureKind features) {
  const ProblemEntry& problem = ResolveProblem(selection);
  std::vector<TuningTask> tasks;
  if (problem.name == ReplayProblem::kName) {
    if (selection.space_csv.empty()) throw ConfigError("the replay problem needs --space FILE");
    auto replay = std::make_unique<ReplayProblem>(selection.space_csv);
    const std::string label = replay->file_name();
    tasks.push_back({label, 1, 0, std::move(replay)});
    return tasks;
  }
  const std::vector<NamedWorkload> workloads = SelectWorkloads(selection);
  if (workloads.empty())
    throw ConfigError(
        "no task given; use --model M [--layer L], --onnx FILE, --workload SPEC or --space FILE");
  const LocalMeasurerOptions measure_options = MeasureOptions(measure, seed);
  for (const NamedWorkload& item : workloads) {
    auto schedule = std::make_unique<ScheduleProblem>(item.workload, measure_options, features);
    const double flops = schedule->flops();
    tasks.push_back({item.name, static_cast<double>(item.occurrences), flops, std::move(schedule)});
  }
  return tasks;
}

std::vector<Constraint> ParseConstraints(const std::vector<std::string>& texts) {
  std::vector<Constraint> constraints;
  for (const std::string& text : texts) constraints.push_back(Constraint::Parse(text));
  return constraints;
}

}  // namespace tessel::cli
