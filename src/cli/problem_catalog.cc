#include "cli/problem_catalog.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "cli/measure_options.h"
#include "cli/noc_task.h"
#include "cli/quant_task.h"
#include "cli/task_selection.h"
#include "core/error.h"
#include "core/memory_size.h"
#include "problems/accel/accel_problem.h"
#include "problems/noc/noc_problem.h"
#include "problems/quant/quant_nets.h"
#include "problems/quant/quant_setup.h"
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

std::vector<std::string> AccelKnobs() {
  return {"pe.L: PEs of layer L, 1..128 (the RL agent uses 1,2,4,8,12,16,24,32,48,64,96,128)",
          "kt.L: KTileSz of layer L (output channels per PE step), 1..12"};
}

std::vector<std::string> QuantKnobs() {
  return {"bits.L: weight bitwidth of quantizable layer L, from --bits-set (default 2..8)"};
}

// A network the quant problem trains, rather than an accelerator's layer table.
bool IsQuantNet(const std::string& name) {
  for (const QuantNetDefinition& net : QuantNets())
    if (net.name == name) return true;
  return false;
}

bool HasQuantOptions(const TaskSelection& selection) {
  return !selection.bits_set.empty() || selection.max_accuracy_loss || selection.train_seed ||
         !selection.fine_tune.empty() || !selection.train.empty() || selection.activation_bits ||
         !selection.split.empty() || !selection.dataset_dir.empty() ||
         !selection.cache_dir.empty() || IsQuantNet(selection.net);
}

// A bare "area" or "power" constraint: ConfuciuX's budget relative to the corners.
bool IsBareBudget(const std::string& text) { return text.find("<=") == std::string::npos; }

// The accel problem's budget, from its constraints: at most one on area or power.
std::optional<AccelBudget> AccelBudgetOf(const TaskSelection& selection) {
  std::optional<AccelBudget> budget;
  for (const std::string& text : selection.constraints) {
    AccelBudget candidate;
    if (IsBareBudget(text)) {
      candidate = {text, selection.constraint_ratio.value_or(0.5), std::nullopt};
    } else {
      const Constraint constraint = Constraint::Parse(text);
      if (constraint.metric != "area" && constraint.metric != "power") continue;
      candidate = {constraint.metric, std::nullopt, constraint.limit};
    }
    if (candidate.metric != "area" && candidate.metric != "power")
      throw ConfigError("--constraint " + text +
                        ": a budget without a limit is on area or power; give other limits as "
                        "METRIC<=LIMIT");
    if (budget)
      throw ConfigError(
          "the accel problem takes one area or power budget, and --constraint "
          "gives two; keep one");
    budget = candidate;
  }
  // --constraint-ratio without a bare budget: TaskConstraints refuses it, for every problem.
  return budget;
}

std::unique_ptr<AccelProblem> MakeAccelProblem(const TaskSelection& selection) {
  if (selection.net.empty())
    throw ConfigError(
        "the accel problem needs --net NAME|FILE.csv (built-in: example, alexnet, "
        "vgg16, resnet18, mobilenet_v2)");
  AccelOptions options;
  if (!selection.dataflow.empty()) options.dataflow = DataflowFromName(selection.dataflow);
  if (!selection.objective.empty()) options.objective = AccelObjectiveFromName(selection.objective);
  if (!selection.maestro_version.empty())
    options.hardware.version = MaestroVersionFromName(selection.maestro_version);
  options.budget = AccelBudgetOf(selection);
  return std::make_unique<AccelProblem>(FindLayerTable(selection.net), std::move(options));
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
      {AccelProblem::kName,
       "each layer's PEs and buffer tile on a DNN accelerator, costed by MAESTRO's analytical "
       "model (ConfuciuX); --objective latency, energy or edp",
       "--net NAME|FILE.csv [--dataflow shi|dla] [--objective O] [--maestro-version V]", AccelKnobs,
       [] { return AccelProblem::Objective(); }, AccelProblem::DeclaredMetrics},
      {QuantProblem::kName,
       "each layer's weight bitwidth of a network trained on Fashion-MNIST, judged by accuracy "
       "and by Bit Fusion's and Stripes' costs (ReLeQ); --objective bitfusion_energy, avg_bits or "
       "stripes_cycles",
       "--net lenet5|convnet6 [--bits-set B] [--max-accuracy-loss P] [--fine-tune F]", QuantKnobs,
       [] { return QuantProblem::Objective(); }, QuantProblem::DeclaredMetrics},
      {noc::NocProblem::kName,
       "the routing of a mesh network-on-chip, judged by packet latency in a cycle-level "
       "simulation of synthetic traffic",
       "--rate R[,R...] [--mesh K] [--traffic T[,T...]] [--noc key=value,...]", NocKnobs,
       noc::NocProblem::Objective, noc::NocProblem::DeclaredMetrics},
  };
  return catalog;
}

const ProblemEntry& ResolveProblem(const TaskSelection& selection) {
  // Which problem each problem's own options imply.
  const bool schedule_options = !selection.model.empty() || !selection.onnx.empty() ||
                                !selection.workloads.empty() || !selection.layout.empty();
  const bool replay_options = !selection.space_csv.empty();
  // --net and --objective belong to accel and quant: a network quant trains names quant.
  const bool quant_options = HasQuantOptions(selection);
  const bool accel_options =
      (!selection.net.empty() && !IsQuantNet(selection.net)) || !selection.dataflow.empty() ||
      (!selection.objective.empty() && !quant_options) || !selection.maestro_version.empty();
  const bool noc_options = HasNocOptions(selection);
  auto options_of = [&](std::string_view problem) {
    if (problem == noc::NocProblem::kName) return noc_options;
    if (problem == ReplayProblem::kName) return replay_options;
    if (problem == AccelProblem::kName) return accel_options;
    if (problem == QuantProblem::kName) return quant_options;
    return schedule_options;
  };
  std::string name = selection.problem;
  if (name.empty()) {
    if (static_cast<int>(schedule_options) + replay_options + accel_options + quant_options +
            noc_options >
        1)
      throw ConfigError(
          "the options name tasks of more than one problem (--space: replay; --net with a layer "
          "table: accel; --net lenet5 or convnet6: quant; --model, --onnx, --workload: "
          "schedule; --mesh, --traffic, --rate, --noc: noc); keep one problem's");
    name = noc_options      ? noc::NocProblem::kName
           : replay_options ? ReplayProblem::kName
           : accel_options  ? AccelProblem::kName
           : quant_options  ? QuantProblem::kName
                            : ScheduleProblem::kName;
  } else if (name == QuantProblem::kName || name == AccelProblem::kName) {
    // Named explicitly, --net and --objective are that problem's, whatever the net's name.
    const bool accel_only = !selection.dataflow.empty() || !selection.maestro_version.empty();
    const bool quant_only = HasQuantOptions(selection) && !IsQuantNet(selection.net);
    if (name == QuantProblem::kName && accel_only)
      throw ConfigError("the quant problem takes no --dataflow or --maestro-version (accel's)");
    if (name == AccelProblem::kName && quant_only)
      throw ConfigError(
          "--bits-set, --max-accuracy-loss, --train, --train-seed, --fine-tune, --activation-bits, "
          "--split, --dataset and --cache-dir are the quant problem's; drop them");
    for (const ProblemEntry& entry : ProblemCatalog())
      if (entry.name == name) {
        if (!selection.model.empty() || !selection.onnx.empty() || !selection.workloads.empty() ||
            !selection.space_csv.empty())
          throw ConfigError("the " + name + " problem takes its instances from " +
                            std::string(entry.instances) +
                            "; drop --model, --onnx, --workload and --space");
        return entry;
      }
  }
  for (const ProblemEntry& entry : ProblemCatalog()) {
    if (entry.name != name) continue;
    for (const ProblemEntry& other : ProblemCatalog())
      if (other.name != name && options_of(other.name))
        throw ConfigError("the " + name + " problem takes its instances from " +
                          std::string(entry.instances) + "; drop the " + std::string(other.name) +
                          " problem's options");
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
  if (problem.name == AccelProblem::kName) {
    auto accel = MakeAccelProblem(selection);
    const std::string label = accel->table().name;
    tasks.push_back({label, 1, 0, std::move(accel)});
    return tasks;
  }
  if (problem.name == noc::NocProblem::kName) return MakeNocTasks(selection, seed);
  if (problem.name == QuantProblem::kName) {
    // --threads sets LibTorch's threads; the trained weights depend on their number.
    if (measure.threads < 0) throw ConfigError("--threads must be at least 1");
    if (measure.threads > 0) SetQuantThreads(measure.threads);
    // Training and evaluating run in this process, one evaluation at a time.
    LimitAddressSpaceGrowth(QuantMemoryLimit(measure));
    auto quant = MakeQuantProblemFor(selection);
    const std::string label = selection.net;
    tasks.push_back({label, 1, 0, std::move(quant)});
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

std::vector<Constraint> TaskConstraints(const TaskSelection& selection,
                                        const std::vector<TuningTask>& tasks) {
  if (selection.constraint_ratio &&
      std::none_of(selection.constraints.begin(), selection.constraints.end(), IsBareBudget))
    throw ConfigError(
        "--constraint-ratio places a budget between the corner configurations; "
        "use it with --constraint area or --constraint power (accel problem)");
  std::vector<Constraint> constraints;
  for (const std::string& text : selection.constraints) {
    if (!IsBareBudget(text)) {
      constraints.push_back(Constraint::Parse(text));
      continue;
    }
    const auto* accel =
        tasks.empty() ? nullptr : dynamic_cast<const AccelProblem*>(tasks[0].problem.get());
    if (!accel)
      throw ConfigError("--constraint " + text +
                        " has no limit; give it as METRIC<=LIMIT (only the accel problem "
                        "takes a bare area or power budget)");
    constraints.push_back(*accel->budget_constraint());
  }
  const bool quant = !tasks.empty() && dynamic_cast<const QuantProblem*>(tasks[0].problem.get());
  if (selection.max_accuracy_loss && !quant)
    throw ConfigError(
        "--max-accuracy-loss bounds a quantized network's accuracy loss; use it "
        "with the quant problem");
  // A quantized network is only worth deploying within an accuracy loss: 1 point unless told.
  if (quant) {
    const double loss = selection.max_accuracy_loss.value_or(1.0);
    if (!(loss >= 0))
      throw ConfigError("--max-accuracy-loss is in percentage points and at least 0, e.g. 1");
    constraints.push_back({"accuracy_loss", loss});
  }
  return constraints;
}

}  // namespace tessel::cli
