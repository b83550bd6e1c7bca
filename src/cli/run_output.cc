#include "cli/run_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/stats.h"

namespace tessel::cli {
namespace {

nlohmann::json FiniteOrNull(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

struct KernelCounts {
  int kernels = 0;
  int tuned = 0;
  std::vector<std::string> untuned;  // workloads on their default schedule, in layer order
};

KernelCounts CountKernels(const NetworkExecutor& executor) {
  KernelCounts counts;
  std::set<std::string> seen;
  for (const LayerReport& layer : executor.layers()) {
    if (layer.workload.empty()) continue;
    ++counts.kernels;
    if (layer.tuned) {
      ++counts.tuned;
    } else if (seen.insert(layer.workload).second) {
      counts.untuned.push_back(layer.workload);
    }
  }
  return counts;
}

}  // namespace

void PrintRunJson(const NetworkRunOutcome& outcome, const RunCommandOptions& options) {
  const NetworkExecutor& executor = *outcome.executor;
  nlohmann::json layers = nlohmann::json::array();
  for (size_t j = 0; j < executor.layers().size(); ++j) {
    const LayerReport& layer = executor.layers()[j];
    nlohmann::json entry = {{"name", layer.name},
                            {"op", layer.op},
                            {"median_ms", Median(outcome.per_layer_ms[j])},
                            {"single_threaded", layer.single_threaded}};
    if (const auto timing = outcome.thread_timings.find(j); timing != outcome.thread_timings.end())
      entry["thread_choice"] = {{"pool_ms", timing->second.pool_ms},
                                {"single_ms", timing->second.single_ms},
                                {"ratio", timing->second.ratio}};
    if (!layer.workload.empty()) {
      entry["task"] = outcome.network->TaskLabel(layer.workload);
      entry["workload"] = layer.workload;
      entry["tuned"] = layer.tuned;
      entry["config"] = layer.config;
    }
    layers.push_back(std::move(entry));
  }
  const KernelCounts counts = CountKernels(executor);
  const std::vector<double>& totals = outcome.totals_ms;
  nlohmann::json line = {
      {"network", outcome.network->name},
      {"threads", outcome.threads},
      {"layout", TensorLayoutName(outcome.layout)},
      {"median_ms", Median(totals)},
      {"min_ms", *std::min_element(totals.begin(), totals.end())},
      {"max_ms", *std::max_element(totals.begin(), totals.end())},
      {"runs", options.repeats},
      {"warmup", options.warmup},
      {"kernels", counts.kernels},
      {"tuned", counts.tuned},
      {"build_s", outcome.build_s},
      {"relative_error", FiniteOrNull(outcome.error)},
      {"compare_error", FiniteOrNull(outcome.compare_error)},
      {"layers", std::move(layers)},
  };
  if (outcome.layout_choice) {
    nlohmann::json timings = nlohmann::json::array();
    for (const LayoutTiming& timing : outcome.layout_choice->timings)
      timings.push_back({{"layout", TensorLayoutName(timing.layout)},
                         {"median_ms", timing.median_ms},
                         {"runs", timing.ms.size()}});
    line["layout_choice"] = std::move(timings);
  }
  if (outcome.this_host) line.update(HostsJson(outcome.host_groups, *outcome.this_host));
  if (outcome.network_run_id) line["network_run"] = outcome.network_run_id;
  std::cout << line.dump() << std::endl;
}

void PrintRunText(const NetworkRunOutcome& outcome, const RunCommandOptions& options) {
  const NetworkExecutor& executor = *outcome.executor;
  const Network& network = *outcome.network;
  const KernelCounts counts = CountKernels(executor);
  std::printf(
      "%s: %d threads, %s activations, %d kernels (%d tuned, %d default schedules), built in "
      "%.1f s\n",
      network.name.c_str(), outcome.threads, std::string(TensorLayoutName(outcome.layout)).c_str(),
      counts.kernels, counts.tuned, counts.kernels - counts.tuned, outcome.build_s);
  if (outcome.layout_choice) {
    std::printf("layout: the fastest end to end of");
    for (const LayoutTiming& timing : outcome.layout_choice->timings)
      std::printf(" %s %.3f ms (median of %zu runs)",
                  std::string(TensorLayoutName(timing.layout)).c_str(), timing.median_ms,
                  timing.ms.size());
    std::printf("\n");
  }
  std::printf("  %-32s %-18s %-8s %-6s %7s %10s %7s\n", "layer", "op", "task", "tuned", "threads",
              "median ms", "share");
  double summed = 0;
  for (const auto& times : outcome.per_layer_ms) summed += Median(times);
  for (size_t j = 0; j < executor.layers().size(); ++j) {
    const LayerReport& layer = executor.layers()[j];
    const double ms = Median(outcome.per_layer_ms[j]);
    const bool kernel = !layer.workload.empty();
    std::printf("  %-32s %-18s %-8s %-6s %7d %10.4f %6.1f%%\n", layer.name.c_str(),
                layer.op.c_str(), kernel ? network.TaskLabel(layer.workload).c_str() : "",
                kernel ? (layer.tuned ? "yes" : "no") : "",
                layer.parallel && !layer.single_threaded ? outcome.threads : 1, ms,
                100 * ms / summed);
  }
  const std::vector<double>& totals = outcome.totals_ms;
  std::printf(
      "end to end: median %.3f ms (min %.3f, max %.3f) over %d runs after %d warm-up runs\n",
      Median(totals), *std::min_element(totals.begin(), totals.end()),
      *std::max_element(totals.begin(), totals.end()), options.repeats, options.warmup);
  if (options.check)
    std::printf("check: max relative error %.2e against the reference executor\n", outcome.error);
  if (!options.compare_file.empty())
    std::printf("compare: max relative error %.2e against %s\n", outcome.compare_error,
                options.compare_file.c_str());
  if (outcome.this_host) PrintHosts(outcome.host_groups, *outcome.this_host, "layers");
  if (outcome.network_run_id)
    std::printf("recorded as network run %lld in %s ('tessel report' shows it)\n",
                static_cast<long long>(outcome.network_run_id), outcome.db_path.c_str());
  for (const std::string& workload : counts.untuned)
    std::printf("untuned (default schedule): %s %s\n", network.TaskLabel(workload).c_str(),
                workload.c_str());
}

}  // namespace tessel::cli
