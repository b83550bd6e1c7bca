// The tuning loop's own cost per evaluation, on a problem that costs nothing to evaluate: how
// many evaluations per second Tune() sustains with every one recorded in SQLite, so that
// analytical problems (accelerator cost models, replayed tables) are not slowed down by the
// engine. The problem: 6 knobs of 10 values (10^6 configurations), the objective a sum of
// squares of the knob indices and one metric (their sum), constrained to at most 27 so that
// the constraint check runs on every evaluation. The strategy is random search (its batches
// are a shuffled list), the records go to a fresh database in the temporary folder.
//
//   loop_overhead [--evaluations N] [--repeats R] [--batch B] [--records on|off]
//
// (defaults 200000 evaluations, 5 runs, batch sizes 8, 64, 256 and 1024, records on and off)
//
// Prints one line per batch size and records setting: the median over R runs of evaluations
// per second of wall time, with the slowest and fastest run. Run it pinned to one core
// (taskset -c 1) on an otherwise idle machine.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "core/stats.h"
#include "records/record_store.h"
#include "tune/presets.h"
#include "tune/tuning.h"

namespace tessel {
namespace {

class TrivialProblem : public Problem {
 public:
  TrivialProblem() : space_(Knobs()) {}

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return {"cost", "units", true}; }
  std::vector<MetricInfo> metrics() const override {
    return {{"sum", "units", "the sum of the knob indices"}};
  }
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override {
    std::vector<Evaluation> evaluations(configs.size());
    for (size_t i = 0; i < configs.size(); ++i) {
      double cost = 0, sum = 0;
      for (int32_t index : configs[i]) {
        cost += double(index) * index;
        sum += index;
      }
      evaluations[i].value = cost;
      evaluations[i].metrics["sum"] = sum;
    }
    return evaluations;
  }

 private:
  static std::vector<Knob> Knobs() {
    std::vector<Knob> knobs;
    for (int k = 0; k < 6; ++k) {
      Knob knob{"k" + std::to_string(k), {}};
      for (int64_t v = 0; v < 10; ++v) knob.values.emplace_back(v);
      knobs.push_back(std::move(knob));
    }
    return knobs;
  }
  Space space_;
  ProblemKey key_{"trivial", "6x10", "none", "sum-of-squares", 1};
};

// Evaluations per second of one run.
double OneRun(int evaluations, int batch_size, bool records, uint64_t seed) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tessel_loop_overhead_" + std::to_string(getpid()) + ".db"))
                               .string();
  auto remove = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  };
  remove();
  std::vector<TuningTask> tasks;
  tasks.push_back({"trivial", 1, 0, std::make_unique<TrivialProblem>()});
  TuningOptions options;
  options.trials = evaluations;
  options.batch_size = batch_size;
  options.seed = seed;
  options.progress = false;
  options.constraints = {Constraint::Parse("sum<=27")};
  options.strategy_name = "random";
  options.strategy = [](const StrategyInputs& inputs) {
    return MakeStrategy(FindPreset("random"), {inputs.problem.space()}, {}, inputs.rng);
  };
  std::unique_ptr<RecordStore> store;
  if (records) store = std::make_unique<RecordStore>(path);
  const auto start = std::chrono::steady_clock::now();
  const TuningReport report = Tune(tasks, store.get(), options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  TESSEL_CHECK(report.tasks[0].evaluations == evaluations) << "the run ended early";
  store.reset();
  remove();
  return evaluations / seconds;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  CLI::App app{"the tuning loop's evaluations per second on a trivial problem"};
  int evaluations = 200000;
  int repeats = 5;
  app.add_option("--evaluations", evaluations, "evaluations per run")->capture_default_str();
  app.add_option("--repeats", repeats, "runs per setting")->capture_default_str();
  std::vector<int> batches = {8, 64, 256, 1024};
  app.add_option("--batch", batches, "batch sizes (repeatable)");
  std::string records_flag = "both";
  app.add_option("--records", records_flag, "on, off or both")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (evaluations < 1 || repeats < 1) {
    std::fprintf(stderr, "loop_overhead: --evaluations and --repeats must be positive\n");
    return 2;
  }
  if (records_flag != "on" && records_flag != "off" && records_flag != "both") {
    std::fprintf(stderr, "loop_overhead: --records takes on, off or both\n");
    return 2;
  }
  std::vector<bool> settings;
  if (records_flag != "off") settings.push_back(true);
  if (records_flag != "on") settings.push_back(false);
  std::printf("%-8s %-7s %14s %14s %14s\n", "batch", "records", "evals/s", "slowest", "fastest");
  for (bool records : settings) {
    for (int batch : batches) {
      if (batch < 1) {
        std::fprintf(stderr, "loop_overhead: --batch must be positive\n");
        return 2;
      }
      std::vector<double> rates;
      for (int r = 0; r < repeats; ++r)
        rates.push_back(tessel::OneRun(evaluations, batch, records, r + 1));
      std::printf("%-8d %-7s %14.0f %14.0f %14.0f\n", batch, records ? "on" : "off",
                  tessel::Median(rates), *std::min_element(rates.begin(), rates.end()),
                  *std::max_element(rates.begin(), rates.end()));
      std::fflush(stdout);
    }
  }
  return 0;
}
