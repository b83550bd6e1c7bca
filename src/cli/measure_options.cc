#include "cli/measure_options.h"

#include "core/error.h"
#include "core/memory_size.h"
#include "problems/schedule/target.h"

namespace tessel::cli {

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
  options.memory_limit = flags.memory_limit == "auto"
                             ? LocalMeasurerOptions::DefaultMemoryLimit(options.build_jobs)
                             : ParseMemorySize(flags.memory_limit, "--memory-limit");
  options.Validate();
  return options;
}

uint64_t QuantMemoryLimit(const MeasureFlags& flags) {
  return flags.memory_limit == "auto" ? PhysicalMemoryBytes() / 2
                                      : ParseMemorySize(flags.memory_limit, "--memory-limit");
}

}  // namespace tessel::cli
