// tessel run: a whole network with the best recorded schedule of each task, checked against
// the reference executor and timed end to end.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/host_report.h"
#include "core/error.h"
#include "core/host.h"
#include "core/rng.h"
#include "core/stats.h"
#include "network/layer_threads.h"
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

}  // namespace

int RunNetwork(const RunCommandOptions& options) {
  if (options.threads < 0) throw ConfigError("--threads must be at least 1");
  if (options.repeats < 1) throw ConfigError("--repeats must be at least 1");
  if (options.warmup < 0) throw ConfigError("--warmup must not be negative");
  if (!(options.tolerance > 0)) throw ConfigError("--tolerance must be a positive number");
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
  const std::string db_path = ResolveDbPath(options.db);
  std::unique_ptr<RecordStore> store;
  if (std::filesystem::exists(db_path)) {
    store = std::make_unique<RecordStore>(db_path);
  } else {
    std::fprintf(stderr,
                 "tessel: no records database at %s; every layer runs its default schedule\n",
                 db_path.c_str());
  }
  const std::map<std::string, BestConfig> best =
      store ? BestConfigs(*store, target) : std::map<std::string, BestConfig>();

  // Halide sizes its thread pool from this when the first kernel runs.
  setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
  const auto build_start = Clock::now();
  std::vector<std::string> record_hosts;        // one per layer that runs a recorded configuration
  std::map<std::string, int64_t> record_tasks;  // workload -> the task of the record it runs
  NetworkExecutor executor(
      OptimizeForInference(network.graph, options.layout), [&](const OperatorTemplate& tmpl) {
        const auto found = best.find(WorkloadSpec(tmpl.workload()) + "|" + tmpl.name() + "|" +
                                     std::to_string(tmpl.version()));
        if (found == best.end()) return std::optional<Config>();
        record_hosts.push_back(found->second.host);
        record_tasks[WorkloadSpec(tmpl.workload())] = found->second.task_id;
        return std::optional<Config>(tmpl.space().FromText(found->second.config));
      });
  const double build_s = SecondsSince(build_start);

  std::map<size_t, LayerThreadTiming> thread_timings;  // by layer
  if (threads > 1 && options.layer_threads == "fastest") {
    executor.Run(input);  // the buffers the layers are timed on
    for (const LayerThreadTiming& timing : ChooseLayerThreads(executor, 15))
      thread_timings[timing.layer] = timing;
  }
  for (int i = 0; i < options.warmup; ++i) executor.Run(input);
  std::vector<double> totals;
  std::vector<std::vector<double>> per_layer(executor.layers().size());
  std::vector<double> layer_ms;
  for (int i = 0; i < options.repeats; ++i) {
    const auto start = Clock::now();
    executor.Run(input, &layer_ms);
    totals.push_back(SecondsSince(start) * 1e3);
    for (size_t j = 0; j < layer_ms.size(); ++j) per_layer[j].push_back(layer_ms[j]);
  }
  const std::span<const float> output = executor.Run(input);
  const std::vector<float> result(output.begin(), output.end());
  double error = std::nan("");
  if (options.check) error = RelativeError(result, RunReference(network.graph, input));
  const double compare_error = expected.empty() ? std::nan("") : RelativeError(result, expected);
  // Measured after the timed runs, which the FMA loop would otherwise disturb.
  const std::vector<HostGroup> host_groups = GroupByMachine(record_hosts);
  std::optional<ThisHost> this_host;
  if (!record_hosts.empty()) this_host = DescribeThisHost(host_groups, threads);

  const double median = Median(totals);
  const double fastest = *std::min_element(totals.begin(), totals.end());
  const double slowest = *std::max_element(totals.begin(), totals.end());
  int kernels = 0, tuned = 0;
  std::set<std::string> untuned;  // workloads
  for (const LayerReport& layer : executor.layers()) {
    if (layer.workload.empty()) continue;
    ++kernels;
    if (layer.tuned) {
      ++tuned;
    } else {
      untuned.insert(layer.workload);
    }
  }

  // Stored before printing, so that the output can say where.
  int64_t network_run_id = 0;
  if (store && options.record) {
    NetworkRunRecord record;
    record.network = network.name;
    record.command = options.command_line;
    record.host = HostToJson(DescribeHost(threads));
    record.threads = threads;
    record.repeats = options.repeats;
    record.median_ms = median;
    record.min_ms = fastest;
    record.max_ms = slowest;
    record.relative_error = error;
    record.layers = LayerRecords(network, executor.layers(), per_layer, record_tasks);
    network_run_id = store->RecordNetworkRun(record);
  }

  if (options.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (size_t j = 0; j < executor.layers().size(); ++j) {
      const LayerReport& layer = executor.layers()[j];
      nlohmann::json entry = {{"name", layer.name},
                              {"op", layer.op},
                              {"median_ms", Median(per_layer[j])},
                              {"single_threaded", layer.single_threaded}};
      if (const auto timing = thread_timings.find(j); timing != thread_timings.end())
        entry["thread_choice"] = {{"pool_ms", timing->second.pool_ms},
                                  {"single_ms", timing->second.single_ms},
                                  {"ratio", timing->second.ratio}};
      if (!layer.workload.empty()) {
        entry["task"] = network.TaskLabel(layer.workload);
        entry["workload"] = layer.workload;
        entry["tuned"] = layer.tuned;
        entry["config"] = layer.config;
      }
      layers.push_back(std::move(entry));
    }
    nlohmann::json line = {
        {"network", network.name},
        {"threads", threads},
        {"layout", TensorLayoutName(options.layout)},
        {"median_ms", median},
        {"min_ms", fastest},
        {"max_ms", slowest},
        {"runs", options.repeats},
        {"warmup", options.warmup},
        {"kernels", kernels},
        {"tuned", tuned},
        {"build_s", build_s},
        {"relative_error", std::isfinite(error) ? nlohmann::json(error) : nlohmann::json(nullptr)},
        {"compare_error",
         std::isfinite(compare_error) ? nlohmann::json(compare_error) : nlohmann::json(nullptr)},
        {"layers", std::move(layers)},
    };
    if (this_host) line.update(HostsJson(host_groups, *this_host));
    if (network_run_id) line["network_run"] = network_run_id;
    std::cout << line.dump() << std::endl;
  } else {
    std::printf(
        "%s: %d threads, %s activations, %d kernels (%d tuned, %d default schedules), built in "
        "%.1f s\n",
        network.name.c_str(), threads, std::string(TensorLayoutName(options.layout)).c_str(),
        kernels, tuned, kernels - tuned, build_s);
    std::printf("  %-32s %-18s %-8s %-6s %7s %10s %7s\n", "layer", "op", "task", "tuned", "threads",
                "median ms", "share");
    double summed = 0;
    for (const auto& times : per_layer) summed += Median(times);
    for (size_t j = 0; j < executor.layers().size(); ++j) {
      const LayerReport& layer = executor.layers()[j];
      const double ms = Median(per_layer[j]);
      const bool kernel = !layer.workload.empty();
      std::printf("  %-32s %-18s %-8s %-6s %7d %10.4f %6.1f%%\n", layer.name.c_str(),
                  layer.op.c_str(), kernel ? network.TaskLabel(layer.workload).c_str() : "",
                  kernel ? (layer.tuned ? "yes" : "no") : "",
                  layer.parallel && !layer.single_threaded ? threads : 1, ms, 100 * ms / summed);
    }
    std::printf(
        "end to end: median %.3f ms (min %.3f, max %.3f) over %d runs after %d warm-up runs\n",
        median, fastest, slowest, options.repeats, options.warmup);
    if (options.check)
      std::printf("check: max relative error %.2e against the reference executor\n", error);
    if (!expected.empty())
      std::printf("compare: max relative error %.2e against %s\n", compare_error,
                  options.compare_file.c_str());
    if (this_host) PrintHosts(host_groups, *this_host, "layers");
    if (network_run_id)
      std::printf("recorded as network run %lld in %s ('tessel report' shows it)\n",
                  static_cast<long long>(network_run_id), db_path.c_str());
    for (const NamedTask& named : network.tasks) {
      const std::string workload = WorkloadSpec(named.task.workload);
      if (untuned.count(workload))
        std::printf("untuned (default schedule): %s %s\n", named.label.c_str(), workload.c_str());
    }
  }
  // A wrong network is a failed command, whatever its speed: scripts and CI see it.
  int status = 0;
  auto judge = [&](const char* what, double relative_error) {
    if (relative_error <= options.tolerance) return;
    std::fprintf(stderr, "tessel: %s failed: max relative error %.3g exceeds --tolerance %.3g\n",
                 what, relative_error, options.tolerance);
    status = 1;
  };
  if (options.check) judge("the check against the reference executor", error);
  if (!expected.empty())
    judge(("the comparison with " + options.compare_file).c_str(), compare_error);
  return status;
}

}  // namespace tessel::cli
