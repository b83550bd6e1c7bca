// The `tessel` subcommands. Each takes its parsed options and returns the exit status; bad
// input throws tessel::Error, which main() prints as one line with exit status 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "network/network_source.h"
#include "tune/task_scheduler.h"

namespace tessel::cli {

// Which tasks a command is about: a problem (inferred from the other options when empty) and
// its instances: zoo layers, ONNX layers or workload specs (schedule), a table (replay), or a
// network's layer table with a dataflow and an objective (accel), a trained network with its
// quantization settings (quant); and the constraints on
// their evaluations, which for the accel problem also set the budget its agents plan with.
struct TaskSelection {
  std::string problem;
  std::string model;
  std::vector<std::string> layers;
  std::vector<std::string> workloads;
  std::string space_csv;
  std::string op;    // keep only this operator ("conv2d" or "dense") of a model
  std::string onnx;  // an ONNX model, whose tasks are selected like a zoo model's
  // "nhwc": --model's and --onnx's conv2d tasks as `tessel run --layout nhwc` runs them
  // (activations channels-last); empty or "nchw": as given.
  std::string layout;
  // accel: a built-in network or a layer table file, the dataflow (shi or dla), the objective
  // (latency, energy or edp) and MAESTRO's constant set (2020 or 2021); empty: the defaults.
  std::string net;
  std::string dataflow;
  std::string objective;
  std::string maestro_version;
  // quant (--net names a network of its own): the bits set ("2,3,4,5,8"), the largest accuracy
  // loss a feasible configuration may have (points; default 1), the seed of the trained
  // weights, the fine-tune each evaluation runs ("epochs=1,subset=5000"), quantized
  // activations' bits (0: float), the split evaluated (validation or test), where the dataset
  // lies and where trained networks are cached; empty or unset: the defaults.
  std::string bits_set;
  std::optional<double> max_accuracy_loss;
  std::optional<uint64_t> train_seed;
  std::string fine_tune;
  std::string train;  // "epochs=2,subset=1000": how the network is trained (default: the full run)
  std::optional<int> activation_bits;
  std::string split;
  std::string dataset_dir;
  std::string cache_dir;
  // noc: the mesh's side (default 8), the traffic patterns and offered loads (a task per
  // pattern x load), and the rest of its NocConfig as "key=value,..." (noc_problem.h).
  std::optional<int> mesh;
  std::vector<std::string> traffic;
  std::vector<double> rates;
  std::string noc;
  // "metric<=limit"; for the accel problem also a bare "area" or "power": ConfuciuX's budget,
  // min + constraint_ratio x (max - min) over its corner configurations.
  std::vector<std::string> constraints;
  std::optional<double> constraint_ratio;
};

// How the schedule problem measures a kernel on this CPU.
struct MeasureFlags {
  int threads = 0;  // 0: all cores
  int repeats = 5;
  double min_repeat_ms = 10;
  double warmup_ms = 30;
  double slow_cutoff = 2;    // one timed repeat for a kernel this many times the best; 0: off
  bool cache_flush = false;  // evict the weights before each timed run (LocalMeasurerOptions)
  double timeout_s = 10;
  // No configuration within 5% of its task's best compiled for more than 2.7 s in 285 tuned
  // tasks; slower ones only hold up their batch (bench/measure_cost/README.md).
  double compile_timeout_s = 5;
  int build_jobs = 0;  // configurations compiled at once; 0: cores + 1
  // Memory one evaluation may allocate ("4G"; "0" for none); auto: memory / (build jobs + 1)
  // per kernel process, memory / 2 for the quant problem's training.
  std::string memory_limit = "auto";
};

struct TuneCommandOptions {
  TaskSelection tasks;
  MeasureFlags measure;
  std::string tuner = "tessel";
  int trials = 0;       // measurements per task, or
  int budget = 0;       // measurements shared by all the selected tasks
  bool resume = false;  // the tasks' records in --db count towards their budgets
  // How --budget is shared: equal, gradient or predicted; auto: predicted for the tessel
  // tuner with a prior, equal otherwise.
  std::string allocation = "auto";
  double min_gain = PredictedOptions{}.min_gain;  // predicted allocation's stopping rule
  uint64_t seed = 0;
  std::string db;
  bool json = false;
  int early_stopping = 0;
  int batch_size = 8;
  bool measure_default = true;
  std::string features = "auto";  // knob, loop, both, or auto (both; knob for a replay table)
  bool transfer = false;
  // A `tessel export` file whose tasks of the same template warm-start models; "auto": the
  // repository's own, for the default tuner on the schedule problem; "none".
  std::string prior = "auto";
  std::string ppo;       // "key=value,..." over the PPO agent's defaults (release, rl)
  std::string sampling;  // "key=value,..." over adaptive sampling's defaults (release, sa-as)
  std::string init;      // random or bted; empty: the tuner's own (bted for bted, bted-bao)
  std::string bted;      // "key=value,..." over BTED's defaults (with a BTED design)
  std::string bao;       // "key=value,..." over BAO's defaults (bted-bao)
  std::string ga;        // "key=value,..." over the genetic algorithm's defaults (ga)
  std::string releq;     // "key=value,..." over ReLeQ's agent's defaults (releq)
  std::string rl;        // "key=value,..." over the routing agents' defaults (q-learning, ...)
  int plan_size = -1;    // model-based presets' initial design and batch; -1: the preset's
  std::string progress = "auto";  // auto, bar, lines or none (tune/progress_display.h)
  std::string command_line;
};

// `tessel eval`: one configuration of one problem instance, evaluated and recorded.
struct EvalCommandOptions {
  TaskSelection tasks;
  MeasureFlags measure;
  std::string config;  // "knob=value,knob=value"
  uint64_t seed = 0;   // the schedule problem's input data, the noc problem's simulation
  std::string db;
  bool json = false;
  std::string command_line;
};

struct RunCommandOptions {
  NetworkSource network;
  std::string db;
  int threads = 0;  // 0: all cores
  int repeats = 20;
  int warmup = 3;
  // "pool": every layer shares its parallel loops with the thread pool; "fastest": each layer
  // keeps to one thread where it ran faster so (network/layer_threads.h).
  std::string layer_threads = "pool";
  // How activations are stored between layers (network/passes.h, ConvertLayout): nchw, nhwc,
  // or auto: the network is built in both and runs in the faster (network/layout_choice.h).
  std::string layout = "auto";
  uint64_t seed = 0;  // zoo weights and the input
  bool check = true;
  bool json = false;
  std::string input_file;    // raw fp32 input instead of a seeded random one
  std::string compare_file;  // raw fp32 output another framework computed for that input
  // Largest max |out - ref| / max |ref| the check and --compare accept; above it (or NaN) the
  // command exits with status 1.
  double tolerance = 1e-3;
  // Stores the run and its layers' times in the database (when it exists) for `tessel report`.
  bool record = true;
  std::string command_line;
};

// `tessel noc sweep`: latency against offered load per traffic pattern and routing.
struct NocSweepOptions {
  std::optional<int> mesh;           // default 8
  std::vector<std::string> traffic;  // default uniform, transpose, hotspot
  std::vector<std::string> routing;  // default all
  std::vector<std::string> rates;    // rates and lo:hi:step ranges; default 0.01:1:0.01
  std::string noc;                   // the network's other settings, "key=value,..."
  uint64_t seed = 0;
  int threads = 0;  // simulations at once; 0: all cores
  std::string csv, svg;
};

// `tessel serve`: the report as a local web page that follows the database (docs/report.md).
struct ServeOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (the one taken is printed)
};

int RunZoo(const std::string& model);
int RunNocSweep(const NocSweepOptions& options);
int RunSpace(const TaskSelection& tasks);
int RunTune(const TuneCommandOptions& options);
// Lists the problems with their instances, knobs, objective and metrics.
int RunProblems();
int RunEval(const EvalCommandOptions& options);
int RunBest(const std::string& db);
// --format jsonl: every record; --format csv: one task's replay table (--task ID|WORKLOAD).
int RunExport(const std::string& db, const std::string& format, const std::string& task);
int RunImport(const std::string& db, const std::string& file);
// Writes the records' HTML report (docs/report.md) to `out`, reading the database only.
int RunReport(const std::string& db, const std::string& out);
// Serves the report's views over HTTP until Ctrl-C or SIGTERM, reading the database only.
int RunServe(const ServeOptions& options);
// Builds a network from its best records, checks it against the reference and times it.
int RunNetwork(const RunCommandOptions& options);

// --db, else $TESSEL_DB, else ./tessel.db.
std::string ResolveDbPath(const std::string& flag);

}  // namespace tessel::cli
