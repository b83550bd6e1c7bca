// Where a measurement's wall time goes. For each task, a seeded sample of valid configurations
// is built and run in this process, one at a time, with every phase timed: defining the
// pipeline (packing weights included), Halide's lowering, LLVM (optimisation, code generation,
// JIT linking), the checked first run, the warm-up and the timed repeats, following the
// measurer's protocol. Then the same configurations go through the real measurer (a forked
// child per configuration, builds in parallel as in a tuning run), whose wall time, less what
// the phases explain, is the cost of processes and pipes.
//
//   measure_cost [--tasks r18.2,r18.4] [--configs 24] [--seed 1] [--build-jobs 3]
//                [--batch-size 8] [--slow-cutoff 2] [--json F]
//
// Prints one table row per task with the median milliseconds per configuration.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/host.h"
#include "core/rng.h"
#include "measure_cost/config_sample.h"
#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/zoo.h"

namespace {

using namespace tessel;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double Sum(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum;
}

// One configuration's phases, in milliseconds.
struct Phases {
  double define = 0, lower = 0, llvm = 0, check = 0, warmup = 0, repeats = 0;
  double total() const { return define + lower + llvm + check + warmup + repeats; }
};

// Builds and runs one configuration in this process, as the measurer's child does.
Phases TimePhases(const OperatorTemplate& tmpl, const Config& config, const OperatorData& data,
                  const LocalMeasurerOptions& options) {
  Phases phases;
  const auto build_start = Clock::now();
  std::unique_ptr<Kernel> kernel = tmpl.Build(config, data);
  const double build_ms = MsSince(build_start);
  const BuildPhases built = LastBuildPhases();
  phases.lower = built.lower_ms;
  // compile_jit lowered again before handing the module to LLVM.
  phases.llvm = std::max(0.0, built.jit_ms - built.lower_ms);
  phases.define = std::max(0.0, build_ms - built.lower_ms - built.jit_ms);

  auto start = Clock::now();
  kernel->Run();
  phases.check = MsSince(start);
  double warmed = phases.check, steady = phases.check;
  start = Clock::now();
  while (warmed < options.warmup_ms) {
    const auto run_start = Clock::now();
    kernel->Run();
    const double run_ms = MsSince(run_start);
    warmed += run_ms;
    steady = std::min(steady, run_ms);
  }
  phases.warmup = MsSince(start);
  const int number =
      std::max(1, static_cast<int>(std::ceil(options.min_repeat_ms / std::max(steady, 1e-4))));
  start = Clock::now();
  for (int repeat = 0; repeat < options.repeats; ++repeat)
    for (int i = 0; i < number; ++i) kernel->Run();
  phases.repeats = MsSince(start);
  return phases;
}

// CPU seconds (user and system) and minor page faults, of this process or of its reaped
// children, so far.
struct Usage {
  double user_s = 0, system_s = 0;
  long minor_faults = 0;
};

Usage UsageOf(int who) {
  rusage usage{};
  getrusage(who, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_minflt};
}

Usage Since(const Usage& before, int who) {
  const Usage now = UsageOf(who);
  return {now.user_s - before.user_s, now.system_s - before.system_s,
          now.minor_faults - before.minor_faults};
}

nlohmann::json UsageJson(const Usage& usage) {
  return {
      {"user_s", usage.user_s}, {"system_s", usage.system_s}, {"minor_faults", usage.minor_faults}};
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Where a measurement's wall time goes, phase by phase"};
  std::string tasks = "r18.1,r18.2,r18.4,r18.11,r18.12,mb1.2,mb1.13";
  int configs = 24;
  uint64_t seed = 1;
  int build_jobs = DefaultThreadCount() + 1;
  std::string json_path;
  app.add_option("--tasks", tasks, "zoo layers, by name");
  app.add_option("--configs", configs, "random valid configurations per task");
  app.add_option("--seed", seed, "seeds the configurations and the data");
  app.add_option("--build-jobs", build_jobs, "the real measurer's parallel builds");
  size_t batch_size = 8;
  app.add_option("--batch-size", batch_size, "configurations per call of the real measurer");
  double slow_cutoff = LocalMeasurerOptions{}.slow_cutoff;
  app.add_option("--slow-cutoff", slow_cutoff, "the real measurer's --slow-cutoff (0: off)");
  app.add_option("--json", json_path, "also write every configuration's phases here");
  CLI11_PARSE(app, argc, argv);

  LocalMeasurerOptions options;
  options.threads = DefaultThreadCount();
  options.build_jobs = build_jobs;
  options.data_seed = seed;
  options.slow_cutoff = slow_cutoff;

  nlohmann::json out = nlohmann::json::array();
  std::printf("%-8s %6s | median ms per configuration: %7s %7s %7s %7s %7s %7s | %9s %9s %9s\n",
              "task", "n", "define", "lower", "llvm", "check", "warmup", "repeat", "phases_s",
              "measure_s", "serial_s");
  for (const std::string& name : SplitCommas(tasks)) {
    const ZooLayer& layer = FindZooLayer(name);
    ConfigSample drawn = SampleConfigs(layer, configs, seed);
    const auto& tmpl = drawn.tmpl;
    std::vector<Config> sample = std::move(drawn.configs);
    const OperatorData& data = drawn.data;

    // Configurations that fail to build leave the sample, so that both lists stay in step.
    std::vector<Phases> phases;
    std::vector<Config> built;
    const Usage in_process_start = UsageOf(RUSAGE_SELF);
    SetTimeBuildPhases(true);
    for (const Config& config : sample) {
      try {
        phases.push_back(TimePhases(*tmpl, config, data, options));
        built.push_back(config);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "%s %s: %s\n", name.c_str(), tmpl->space().ToText(config).c_str(),
                     error.what());
      }
    }
    sample = built;
    // Off again for the measurer: its children inherit the setting, and would lower every
    // pipeline twice, as the phases above do.
    SetTimeBuildPhases(false);
    // CPU and page faults of the same work in this warm process (with one extra lowering per
    // configuration, for the phases) and in the forked children of the serial measurer below
    // (which lower once).
    const Usage in_process = Since(in_process_start, RUSAGE_SELF);
    // The real measurer on the same configurations, the way a tuning run calls it: in batches
    // (--batch-size), each compiled in parallel and then run one by one.
    auto measure_in_batches = [&](LocalMeasurer& measurer) {
      std::vector<Evaluation> evaluations;
      for (size_t start = 0; start < sample.size(); start += batch_size) {
        const std::vector<Config> batch(
            sample.begin() + start, sample.begin() + std::min(sample.size(), start + batch_size));
        for (Evaluation& evaluation : measurer.Measure(batch))
          evaluations.push_back(std::move(evaluation));
      }
      return evaluations;
    };
    LocalMeasurer measurer(*tmpl, options);
    const auto measure_start = Clock::now();
    const std::vector<Evaluation> evaluations = measure_in_batches(measurer);
    const double measure_s = MsSince(measure_start) / 1e3;
    // The same with one build at a time: what parallel builds save.
    LocalMeasurerOptions serial = options;
    serial.build_jobs = 1;
    LocalMeasurer serial_measurer(*tmpl, serial);
    const Usage children_start = UsageOf(RUSAGE_CHILDREN);
    const auto serial_start = Clock::now();
    measure_in_batches(serial_measurer);
    const double serial_s = MsSince(serial_start) / 1e3;
    const Usage children = Since(children_start, RUSAGE_CHILDREN);

    auto column = [&](double Phases::*field) {
      std::vector<double> values;
      for (const Phases& p : phases) values.push_back(p.*field);
      return values;
    };
    std::vector<double> totals;
    for (const Phases& p : phases) totals.push_back(p.total());
    std::printf("%-8s %6zu | %36s %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f | %9.2f %9.2f %9.2f\n",
                name.c_str(), phases.size(), "", Median(column(&Phases::define)),
                Median(column(&Phases::lower)), Median(column(&Phases::llvm)),
                Median(column(&Phases::check)), Median(column(&Phases::warmup)),
                Median(column(&Phases::repeats)), Sum(totals) / 1e3, measure_s, serial_s);
    std::printf(
        "%-8s %6s | cpu s (user+sys), minor faults: in process %.2f+%.2f, %ld; forked children "
        "%.2f+%.2f, %ld\n",
        "", "", in_process.user_s, in_process.system_s, in_process.minor_faults, children.user_s,
        children.system_s, children.minor_faults);
    std::fflush(stdout);
    nlohmann::json task = {{"task", name},
                           {"workload", WorkloadSpec(layer.workload)},
                           {"measure_s", measure_s},
                           {"serial_measure_s", serial_s},
                           {"in_process_usage", UsageJson(in_process)},
                           {"serial_children_usage", UsageJson(children)},
                           {"configs", nlohmann::json::array()}};
    for (size_t i = 0; i < phases.size() && i < evaluations.size(); ++i)
      task["configs"].push_back({{"define_ms", phases[i].define},
                                 {"lower_ms", phases[i].lower},
                                 {"llvm_ms", phases[i].llvm},
                                 {"check_ms", phases[i].check},
                                 {"warmup_ms", phases[i].warmup},
                                 {"repeats_ms", phases[i].repeats},
                                 {"measured_status", EvalStatusName(evaluations[i].status)},
                                 {"measured_ms", evaluations[i].value},
                                 {"measured_compile_ms", evaluations[i].compile_ms}});
    out.push_back(task);
  }
  if (!json_path.empty()) std::ofstream(json_path) << out.dump(1) << '\n';
  return 0;
}
