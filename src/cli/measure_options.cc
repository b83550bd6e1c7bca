#include "cli/measure_options.h"

#include <CLI/CLI.hpp>

#include "core/error.h"
#include "core/host.h"
#include "core/memory_size.h"
#include "problems/schedule/schedule_problem.h"

namespace tessel::cli {

void AddMeasureFlags(CLI::App* command, MeasureFlags& measure) {
  command->add_option("--threads", measure.threads,
                      "kernel threads (default: all cores); quant: LibTorch's threads (default 1)");
  command->add_option("--repeats", measure.repeats, "timed repeats per measurement")
      ->capture_default_str();
  command->add_option("--min-repeat-ms", measure.min_repeat_ms, "minimum length of a repeat")
      ->capture_default_str();
  command
      ->add_option("--slow-cutoff", measure.slow_cutoff,
                   "a kernel this many times slower than the best so far gets one timed repeat "
                   "(0: all repeats for every kernel)")
      ->capture_default_str();
  command->add_flag(
      "--cache-flush", measure.cache_flush,
      "schedule: evict the layer's weights from the caches before each timed run, as a "
      "network finds them (TVM's enable_cpu_cache_flush); runs are then timed one "
      "by one");
  command
      ->add_option("--warmup-ms", measure.warmup_ms,
                   "untimed runs before the timed repeats, at least this long")
      ->capture_default_str();
  command->add_option("--timeout", measure.timeout_s, "seconds allowed per measurement")
      ->capture_default_str();
  command
      ->add_option("--compile-timeout", measure.compile_timeout_s,
                   "seconds allowed to compile one configuration")
      ->capture_default_str();
  command->add_option("--build-jobs", measure.build_jobs,
                      "configurations compiled at once before they run one by one (default: "
                      "cores + 1)");
  command->add_option("--memory-limit", measure.memory_limit,
                      "memory one evaluation may allocate (a kernel process; the quant problem's "
                      "training), e.g. 4G; an evaluation over it is recorded as out_of_memory; "
                      "0 for none (default: memory / (build jobs + 1) for kernels, memory / 2 "
                      "for training)");
}

LocalMeasurerOptions MeasureOptions(const MeasureFlags& flags, uint64_t seed) {
  if (flags.threads < 0) throw ConfigError("--threads must be at least 1");
  if (flags.build_jobs < 0) throw ConfigError("--build-jobs must be at least 1");
  LocalMeasurerOptions options;
  options.threads = flags.threads > 0 ? flags.threads : DefaultThreadCount();
  options.repeats = flags.repeats;
  options.min_repeat_ms = flags.min_repeat_ms;
  options.warmup_ms = flags.warmup_ms;
  options.slow_cutoff = flags.slow_cutoff;
  options.cache_flush = flags.cache_flush;
  options.timeout_s = flags.timeout_s;
  options.compile_timeout_s = flags.compile_timeout_s;
  // One more build than cores: builds are awaited in launch order, and a spare one keeps a
  // core busy while a slow build holds up the queue.
  options.build_jobs = flags.build_jobs > 0 ? flags.build_jobs : DefaultThreadCount() + 1;
  options.data_seed = seed;
  if (flags.memory_limit != "auto")
    options.memory_limit = ParseMemorySize(flags.memory_limit, "--memory-limit");
  options.Validate();
  return options;
}

uint64_t QuantMemoryLimit(const MeasureFlags& flags) {
  if (flags.memory_limit == "auto") return UsableMemoryBytes() / 2;
  const uint64_t limit = ParseMemorySize(flags.memory_limit, "--memory-limit");
  // Training allocates LibTorch's tensors and thread pools, about half a GiB for these nets.
  constexpr uint64_t kMinTraining = uint64_t{1} << 30;
  if (limit != 0 && limit < kMinTraining)
    throw ConfigError("--memory-limit " + FormatMemorySize(limit) +
                      " is too small to train the quant problem's network; give at least " +
                      FormatMemorySize(kMinTraining) + ", or 0 for no limit");
  return limit;
}

std::string RunHost(std::string_view problem, const MeasureFlags& flags) {
  const bool timed = problem == ScheduleProblem::kName;
  const int threads = flags.threads > 0 ? flags.threads : DefaultThreadCount();
  return HostToJson(DescribeHost(timed ? threads : 0));
}

}  // namespace tessel::cli
