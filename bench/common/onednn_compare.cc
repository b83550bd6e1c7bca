// Compares Tessel's best tuned conv2d kernels with oneDNN's direct convolution, layer by layer,
// on this machine, and relates both to the machine's measured peak FP32 rate.
//
//   onednn_compare --threads T [--db PATH] [--models resnet18,vgg16,alexnet] [--min-time-ms 200]
//                  [--rounds 5] [--layout nchw|nhwc]
//
// For every conv layer of the models: oneDNN fp32 forward inference, batch 1, with the formats
// left to oneDNN (format_tag::any, so it picks its blocked layouts); the NCHW/OIHW data are
// reordered into those formats once, outside the timing. Tessel: the best record of the layer's
// task in the records database (same workload, host target with T threads, current template
// name and version), rebuilt from its configuration. Both outputs are checked against the
// template's plain-loop Reference(). The two are timed in the same process, interleaved in
// alternating rounds (--rounds), and the median per-call time of the rounds is reported; before
// each round the program waits until the other implementation's threads have stopped spinning.
// Tessel/oneDNN is the median over rounds of the paired ratio (oneDNN's time in the round over
// Tessel's): this machine's two cores drop to about one core's speed for seconds at a time, and
// pairing rounds that ran back to back cancels most of that. The peak is
// an FMA loop with many independent accumulator chains on T threads.
//
// With --layout nhwc, Tessel's side is each layer's channels-last task (as `tessel run --layout
// nhwc` runs it), on data and a reference of its own; oneDNN's side is unchanged.
//
// Prints a Markdown table per model. Errors in the arguments, an unknown model or an unreadable
// database give one line on stderr and exit status 2.
#include <dlfcn.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.hpp>)
#include <oneapi/dnnl/dnnl.hpp>
#else
#include <dnnl.hpp>
#endif

#include "common/checked_kernel.h"
#include "common/interleaved_timing.h"
#include "common/onednn_layers.h"
#include "core/error.h"
#include "core/host.h"
#include "core/rng.h"
#include "core/stats.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/target.h"
#include "problems/schedule/workload.h"
#include "problems/schedule/zoo.h"
#include "records/record_store.h"

namespace tessel {
namespace {

using Clock = BenchClock;

double GeoMean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double log_sum = 0;
  for (double v : values) log_sum += std::log(v);
  return std::exp(log_sum / static_cast<double>(values.size()));
}

std::string Fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, value);
  return text;
}

// ---------------------------------------------------------------------------------------------
// The report.

struct Options {
  int threads = 0;
  std::string db;
  std::vector<std::string> models = {"resnet18", "vgg16", "alexnet"};
  double min_time_ms = 200;
  int rounds = 5;
  std::string layout = "nchw";  // of Tessel's tasks
};

struct LayerResult {
  std::string name;
  Conv2dShape shape;
  double gflop = 0;
  double onednn_ms = std::nan("");
  std::string onednn_note;  // why there is no time
  double tessel_ms = std::nan("");
  std::string tessel_note;             // "-" without a record, or why there is no time
  double paired_ratio = std::nan("");  // median over rounds of oneDNN's time / Tessel's
  int occurrences = 1;
};

std::string ShapeText(const Conv2dShape& s) {
  std::ostringstream text;
  text << s.c << "x" << s.h << "x" << s.w << " k" << s.k << " " << s.r << "x" << s.s << " s"
       << s.stride << " p" << s.pad;
  if (s.groups > 1) text << " g" << s.groups;
  return text.str();
}

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d", &tm);
  return text;
}

std::string RecordKey(const std::string& workload, const std::string& template_name, int version) {
  return workload + "|" + template_name + "|" + std::to_string(version);
}

// The best record of each task of this host and thread count, by RecordKey().
std::map<std::string, BestRecord> LoadRecords(const std::string& path, int threads) {
  std::map<std::string, BestRecord> best;
  if (path.empty()) return best;
  if (!std::filesystem::is_regular_file(path))
    throw IoError("cannot read the records database " + path + ": no such file");
  RecordStore store(path);
  const std::string target = HostTargetKey(threads);
  for (BestRecord& record : store.BestPerTask()) {
    if (record.task.target != target) continue;
    const std::string key =
        RecordKey(record.task.instance, record.task.evaluator, record.task.evaluator_version);
    auto [it, inserted] = best.try_emplace(key, record);
    if (!inserted && record.record.result.value < it->second.record.result.value)
      it->second = record;
  }
  return best;
}

LayerResult BenchLayer(const ZooLayer& layer, const std::map<std::string, BestRecord>& records,
                       const Options& options) {
  const Conv2dShape& shape = std::get<Conv2dShape>(layer.workload);
  LayerResult result;
  result.name = layer.name;
  result.shape = shape;
  result.gflop = Flops(layer.workload) / 1e9;
  result.occurrences = layer.occurrences;

  const std::unique_ptr<OperatorTemplate> tmpl = MakeOperatorTemplate(layer.workload);
  Rng rng(kDataSeed);
  const OperatorData data = tmpl->RandomData(rng);
  const std::vector<float> reference = tmpl->Reference(data);

  std::vector<Contender> contenders;
  std::optional<OneDnnConv> onednn;
  try {
    onednn.emplace(shape, data);
    onednn->Run();
    const double error = RelativeError(onednn->OutputNchw(), reference);
    if (error <= kTolerance) {
      contenders.push_back({[&] { onednn->Run(); }, 1, {}});
    } else {
      result.onednn_note = "wrong (error " + Fixed(error, 6) + ")";
    }
  } catch (const dnnl::error& error) {
    result.onednn_note = std::string("error: ") + error.what();
  }

  // Tessel's task: the layer's, or its channels-last twin with data of its own.
  Workload tessel_workload = layer.workload;
  if (options.layout == "nhwc") std::get<Conv2dShape>(tessel_workload).layout = TensorLayout::kNhwc;
  const std::unique_ptr<OperatorTemplate> tessel_tmpl = MakeOperatorTemplate(tessel_workload);
  const OperatorData tessel_data = tessel_tmpl->RandomData(rng);
  const std::vector<float> tessel_reference = tessel_tmpl->Reference(tessel_data);
  std::unique_ptr<Kernel> kernel;
  const auto record = records.find(
      RecordKey(WorkloadSpec(tessel_workload), tessel_tmpl->name(), tessel_tmpl->version()));
  if (record == records.end()) {
    result.tessel_note = "-";
  } else {
    CheckedKernel checked = BuildCheckedKernel(*tessel_tmpl, record->second.record.config,
                                               tessel_data, tessel_reference);
    kernel = std::move(checked.kernel);
    if (kernel) {
      contenders.push_back({[&] { kernel->Run(); }, 1, {}});
    } else if (checked.failure == "wrong") {
      result.tessel_note = "wrong (error " + Fixed(checked.error, 6) + ")";
    } else {
      result.tessel_note = checked.failure;
      std::cerr << layer.name << ": Tessel " << checked.failure << ": " << checked.message << "\n";
    }
  }

  TimeInterleaved(contenders, options.rounds, options.min_time_ms / options.rounds);
  size_t next = 0;
  if (result.onednn_note.empty()) result.onednn_ms = Median(contenders[next++].per_call_ms);
  if (result.tessel_note.empty()) result.tessel_ms = Median(contenders[next++].per_call_ms);
  if (contenders.size() == 2) {
    std::vector<double> ratios;
    for (int round = 0; round < options.rounds; ++round)
      ratios.push_back(contenders[0].per_call_ms[round] / contenders[1].per_call_ms[round]);
    result.paired_ratio = Median(ratios);
  }

  std::cerr << layer.name << ": oneDNN " << Fixed(result.onednn_ms, 4) << " ms ("
            << (onednn ? onednn->impl() : "none") << ")";
  if (result.tessel_note.empty())
    std::cerr << ", Tessel " << Fixed(result.tessel_ms, 4)
              << " ms (records: " << Fixed(record->second.record.result.value, 4) << " ms)";
  std::cerr << "\n";
  return result;
}

void PrintModel(const ZooModel& model, const std::vector<LayerResult>& layers, double peak) {
  std::cout << "\n## " << model.name << "\n\n"
            << "| layer | shape | GFLOP | oneDNN ms | oneDNN GFLOP/s | oneDNN % peak | Tessel ms "
               "| Tessel GFLOP/s | Tessel % peak | Tessel/oneDNN |\n"
            << "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::vector<double> onednn_rates, tessel_rates, ratios;
  double onednn_total = 0, tessel_total = 0;  // network time over layers with both, x occurrences
  for (const LayerResult& layer : layers) {
    const double onednn_rate = layer.gflop / (layer.onednn_ms / 1e3);
    const double tessel_rate = layer.gflop / (layer.tessel_ms / 1e3);
    const double ratio = layer.paired_ratio;
    if (std::isfinite(onednn_rate)) onednn_rates.push_back(onednn_rate);
    if (std::isfinite(tessel_rate)) tessel_rates.push_back(tessel_rate);
    if (std::isfinite(ratio)) {
      ratios.push_back(ratio);
      onednn_total += layer.onednn_ms * layer.occurrences;
      tessel_total += layer.tessel_ms * layer.occurrences;
    }
    auto time = [](double ms, const std::string& note) {
      return note.empty() ? Fixed(ms, 4) : note;
    };
    std::cout << "| " << layer.name << " | " << ShapeText(layer.shape) << " | "
              << Fixed(layer.gflop, 4) << " | " << time(layer.onednn_ms, layer.onednn_note) << " | "
              << Fixed(onednn_rate, 1) << " | " << Fixed(100 * onednn_rate / peak, 1) << " | "
              << time(layer.tessel_ms, layer.tessel_note) << " | " << Fixed(tessel_rate, 1) << " | "
              << Fixed(100 * tessel_rate / peak, 1) << " | " << Fixed(ratio, 3) << " |\n";
  }
  const double onednn_geo = GeoMean(onednn_rates), tessel_geo = GeoMean(tessel_rates);
  std::cout << "| geomean | " << onednn_rates.size() << " layers, " << tessel_rates.size()
            << " with records | | | " << Fixed(onednn_geo, 1) << " | "
            << Fixed(100 * onednn_geo / peak, 1) << " | | " << Fixed(tessel_geo, 1) << " | "
            << Fixed(100 * tessel_geo / peak, 1) << " | " << Fixed(GeoMean(ratios), 3) << " |\n";
  if (!ratios.empty())
    std::cout << "\nSum over the " << ratios.size()
              << " layers with records, each times its occurrences in the network: oneDNN "
              << Fixed(onednn_total, 3) << " ms, Tessel " << Fixed(tessel_total, 3) << " ms.\n";
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app{"Compares Tessel's best records with oneDNN's direct convolution, per layer."};
  app.add_option("--threads", options.threads, "threads for oneDNN, Tessel and the peak")
      ->required()
      ->check(CLI::Range(1, 1024));
  app.add_option("--db", options.db, "records database (without it, oneDNN only)");
  app.add_option("--models", options.models, "zoo models, comma-separated")->delimiter(',');
  app.add_option("--min-time-ms", options.min_time_ms, "timed milliseconds per implementation")
      ->check(CLI::PositiveNumber);
  app.add_option("--layout", options.layout, "Tessel's tasks: nchw, or nhwc (channels last)")
      ->check(CLI::IsMember({"nchw", "nhwc"}))
      ->capture_default_str();
  app.add_option("--rounds", options.rounds, "interleaved timing rounds")
      ->check(CLI::Range(1, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "onednn_compare: " << error.what() << "\n";
    return 2;
  }

  // Thread counts first, before any thread pool starts: Halide reads HL_NUM_THREADS when its
  // pool starts, OpenMP honours the environment only of processes started after this.
  const std::string threads = std::to_string(options.threads);
  setenv("HL_NUM_THREADS", threads.c_str(), 1);
  setenv("OMP_NUM_THREADS", threads.c_str(), 1);
  const int onednn_threads = SetOneDnnThreads(options.threads);

  std::vector<const ZooModel*> models;
  for (const std::string& name : options.models) models.push_back(&FindModel(name));
  const std::map<std::string, BestRecord> records = LoadRecords(options.db, options.threads);

  const FmaPeak peak = MeasureFmaPeak(options.threads, std::max(50.0, options.min_time_ms / 2));
  const dnnl_version_t* version = dnnl::version();
  std::cout << "# Tessel vs oneDNN: " << CpuModelName() << ", " << options.threads
            << (options.threads == 1 ? " thread" : " threads") << ", peak " << Fixed(peak.gflops, 1)
            << " GFLOP/s (" << peak.isa << "), " << TodayUtc() << "\n\n"
            << "oneDNN " << version->major << "." << version->minor << "." << version->patch << " ("
            << OneDnnRuntimeName(version->cpu_runtime) << ", "
            << (onednn_threads > 0 ? std::to_string(onednn_threads) : "unknown")
            << " threads), direct convolution, formats chosen by oneDNN. Tessel: best records of "
            << (options.db.empty() ? "(no database)" : options.db) << " for "
            << HostTargetKey(options.threads) << ", " << records.size() << " tasks, "
            << options.layout << " activations. Median per-call time of " << options.rounds
            << " interleaved rounds, fp32, batch 1; Tessel/oneDNN is the median of the rounds' "
               "paired ratios.\n";
  std::cout.flush();

  for (const ZooModel* model : models) {
    std::vector<LayerResult> results;
    for (const ZooLayer& layer : model->layers)
      if (std::holds_alternative<Conv2dShape>(layer.workload))
        results.push_back(BenchLayer(layer, records, options));
    PrintModel(*model, results, peak.gflops);
    std::cout.flush();
  }
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& error) {
    std::cerr << "onednn_compare: " << error.what() << "\n";
    return 2;
  } catch (const dnnl::error& error) {
    std::cerr << "onednn_compare: oneDNN: " << error.what() << "\n";
    return 2;
  }
}
