// tessel run: a whole network with the best recorded schedule of each task, checked against
// the reference executor and timed end to end.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/host_report.h"
#include "cli/run_output.h"
#include "core/error.h"
#include "core/host.h"
#include "core/rng.h"
#include "core/stats.h"
#include "network/layer_threads.h"
#include "network/layout_choice.h"
#include "network/network_executor.h"
#include "network/network_source.h"
#include "network/passes.h"
#include "network/reference_executor.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/target.h"
#include "records/record_store.h"

namespace tessel::cli {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A layer's best record: its configuration's text, its task and where it was measured.
struct BestConfig {
  std::string config;
  int64_t task_id = 0;
  std::string host;  // HostToJson of the run's machine
};

// The best record per (workload, template, version) for this target.
std::map<std::string, BestConfig> BestConfigs(const RecordStore& store, const std::string& target) {
  std::map<std::string, BestConfig> best;
  for (const BestRecord& entry : store.BestPerTask())
    if (entry.task.problem == "schedule" && entry.task.target == target)
      best[entry.task.instance + "|" + entry.task.evaluator + "|" +
           std::to_string(entry.task.evaluator_version)] = {entry.record.config, entry.task_id,
                                                            entry.host};
  return best;
}

// What the network run stores of each layer: what ran, its task and its median time.
std::vector<NetworkLayerRecord> LayerRecords(const Network& network,
                                             const std::vector<LayerReport>& layers,
                                             const std::vector<std::vector<double>>& per_layer_ms,
                                             const std::map<std::string, int64_t>& record_tasks) {
  std::vector<NetworkLayerRecord> records;
  for (size_t j = 0; j < layers.size(); ++j) {
    const LayerReport& layer = layers[j];
    NetworkLayerRecord& entry = records.emplace_back();
    entry.name = layer.name;
    entry.op = layer.op;
    entry.workload = layer.workload;
    entry.tuned = layer.tuned;
    entry.config = layer.config;
    entry.median_ms = Median(per_layer_ms[j]);
    if (!layer.workload.empty()) entry.task = network.TaskLabel(layer.workload);
    const auto task = record_tasks.find(layer.workload);
    if (layer.tuned && task != record_tasks.end()) entry.task_id = task->second;
  }
  return records;
}

// A raw little-endian fp32 file of exactly `count` values.
std::vector<float> ReadFloats(const std::string& path, int64_t count, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": no such file or no permission");
  std::vector<float> values(count);
  in.read(reinterpret_cast<char*>(values.data()), count * static_cast<int64_t>(sizeof(float)));
  const int64_t got = in.gcount() / static_cast<int64_t>(sizeof(float));
  in.peek();
  if (got != count || !in.eof())
    throw ConfigError(path + " is not " + what + ": it must hold exactly " + std::to_string(count) +
                      " fp32 values");
  return values;
}

// The network built in one layout: its executor and the records it runs.
struct BuiltNetwork {
  TensorLayout layout = TensorLayout::kNchw;
  std::unique_ptr<NetworkExecutor> executor;
  std::vector<std::string> record_hosts;        // one per layer that runs a recorded configuration
  std::map<std::string, int64_t> record_tasks;  // workload -> the task of the record it runs
  std::map<size_t, LayerThreadTiming> thread_timings;  // by layer
};

BuiltNetwork BuildNetwork(const Network& network, TensorLayout layout,
                          const std::map<std::string, BestConfig>& best, int threads,
                          const RunCommandOptions& options, const std::vector<float>& input) {
  BuiltNetwork built;
  built.layout = layout;
  built.executor = std::make_unique<NetworkExecutor>(
      OptimizeForInference(network.graph, layout), [&](const OperatorTemplate& tmpl) {
        const auto found = best.find(WorkloadSpec(tmpl.workload()) + "|" + tmpl.name() + "|" +
                                     std::to_string(tmpl.version()));
        if (found == best.end()) return std::optional<Config>();
        built.record_hosts.push_back(found->second.host);
        built.record_tasks[WorkloadSpec(tmpl.workload())] = found->second.task_id;
        return std::optional<Config>(tmpl.space().FromText(found->second.config));
      });
  if (threads > 1 && options.layer_threads == "fastest") {
    built.executor->Run(input);  // the buffers the layers are timed on
    for (const LayerThreadTiming& timing : ChooseLayerThreads(*built.executor, 15))
      built.thread_timings[timing.layer] = timing;
  }
  return built;
}

}  // namespace

int RunNetwork(const RunCommandOptions& options) {
  if (options.threads < 0) throw ConfigError("--threads must be at least 1");
  if (options.repeats < 1) throw ConfigError("--repeats must be at least 1");
  if (options.warmup < 0) throw ConfigError("--warmup must not be negative");
  if (!(options.tolerance > 0)) throw ConfigError("--tolerance must be a positive number");
  if (options.layout != "auto" && options.layout != "nchw" && options.layout != "nhwc")
    throw ConfigError("--layout must be auto, nchw or nhwc, not '" + options.layout + "'");
  const int threads = options.threads > 0 ? options.threads : DefaultThreadCount();
  const Network network = LoadNetwork(options.network, options.seed);
  const int64_t input_size = ElementCount(network.graph.input().shape);
  std::vector<float> input(input_size);
  if (options.input_file.empty()) {
    Rng rng = Rng(options.seed).Fork("input");
    for (float& v : input) v = static_cast<float>(rng.UniformReal());
  } else {
    input = ReadFloats(options.input_file, input_size,
                       "an input of shape " + ShapeText(network.graph.input().shape));
  }
  std::vector<float> expected;
  if (!options.compare_file.empty())
    expected = ReadFloats(
        options.compare_file, ElementCount(network.graph.nodes[network.graph.output].shape),
        "an output of shape " + ShapeText(network.graph.nodes[network.graph.output].shape));
  const std::string target = HostTargetKey(threads);
  NetworkRunOutcome outcome;
  outcome.network = &network;
  outcome.threads = threads;
  outcome.db_path = ResolveDbPath(options.db);
  std::unique_ptr<RecordStore> store;
  if (std::filesystem::exists(outcome.db_path)) {
    store = std::make_unique<RecordStore>(outcome.db_path);
  } else {
    std::fprintf(stderr,
                 "tessel: no records database at %s; every layer runs its default schedule\n",
                 outcome.db_path.c_str());
  }
  const std::map<std::string, BestConfig> best =
      store ? BestConfigs(*store, target) : std::map<std::string, BestConfig>();

  // Halide sizes its thread pool from this when the first kernel runs.
  setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
  const auto build_start = Clock::now();
  const std::vector<TensorLayout> layouts =
      options.layout == "nchw" ? std::vector<TensorLayout>{TensorLayout::kNchw}
      : options.layout == "nhwc"
          ? std::vector<TensorLayout>{TensorLayout::kNhwc}
          : std::vector<TensorLayout>{TensorLayout::kNchw, TensorLayout::kNhwc};
  std::vector<BuiltNetwork> candidates;
  for (TensorLayout layout : layouts)
    candidates.push_back(BuildNetwork(network, layout, best, threads, options, input));
  size_t chosen = 0;
  if (candidates.size() > 1) {
    std::vector<NetworkExecutor*> executors;
    for (BuiltNetwork& candidate : candidates) executors.push_back(candidate.executor.get());
    outcome.layout_choice = ChooseFastestLayout(executors, layouts, input);
    chosen = outcome.layout_choice->chosen;
  }
  BuiltNetwork built = std::move(candidates[chosen]);
  candidates.clear();  // frees the other layouts' kernels and buffers
  outcome.build_s = SecondsSince(build_start);
  outcome.layout = built.layout;
  outcome.thread_timings = built.thread_timings;
  NetworkExecutor& executor = *built.executor;
  outcome.executor = &executor;

  for (int i = 0; i < options.warmup; ++i) executor.Run(input);
  outcome.per_layer_ms.resize(executor.layers().size());
  std::vector<double> layer_ms;
  for (int i = 0; i < options.repeats; ++i) {
    const auto start = Clock::now();
    executor.Run(input, &layer_ms);
    outcome.totals_ms.push_back(SecondsSince(start) * 1e3);
    for (size_t j = 0; j < layer_ms.size(); ++j) outcome.per_layer_ms[j].push_back(layer_ms[j]);
  }
  const std::span<const float> output = executor.Run(input);
  const std::vector<float> result(output.begin(), output.end());
  outcome.error = std::nan("");
  if (options.check) outcome.error = RelativeError(result, RunReference(network.graph, input));
  outcome.compare_error = expected.empty() ? std::nan("") : RelativeError(result, expected);
  // Measured after the timed runs, which the FMA loop would otherwise disturb.
  outcome.host_groups = GroupByMachine(built.record_hosts);
  if (!built.record_hosts.empty())
    outcome.this_host = DescribeThisHost(outcome.host_groups, threads);

  // Stored before printing, so that the output can say where.
  if (store && options.record) {
    const std::vector<double>& totals = outcome.totals_ms;
    NetworkRunRecord record;
    record.network = network.name;
    record.command = options.command_line;
    record.host = HostToJson(DescribeHost(threads));
    record.threads = threads;
    record.repeats = options.repeats;
    record.median_ms = Median(totals);
    record.min_ms = *std::min_element(totals.begin(), totals.end());
    record.max_ms = *std::max_element(totals.begin(), totals.end());
    record.relative_error = outcome.error;
    record.layers =
        LayerRecords(network, executor.layers(), outcome.per_layer_ms, built.record_tasks);
    outcome.network_run_id = store->RecordNetworkRun(record);
  }
  if (options.json) {
    PrintRunJson(outcome, options);
  } else {
    PrintRunText(outcome, options);
  }
  // A wrong network is a failed command, whatever its speed: scripts and CI see it.
  int status = 0;
  auto judge = [&](const char* what, double relative_error) {
    if (relative_error <= options.tolerance) return;
    std::fprintf(stderr, "tessel: %s failed: max relative error %.3g exceeds --tolerance %.3g\n",
                 what, relative_error, options.tolerance);
    status = 1;
  };
  if (options.check) judge("the check against the reference executor", outcome.error);
  if (!expected.empty())
    judge(("the comparison with " + options.compare_file).c_str(), outcome.compare_error);
  return status;
}

}  // namespace tessel::cli
