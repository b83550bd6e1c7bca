// Measures configurations of an operator template on this machine's CPU.
//
// Each configuration is JIT-compiled and run in a forked child process, so that a compiler
// that crashes or never finishes, or a kernel that crashes or hangs, takes only the child with
// it: the parent records a compile error, crash or timeout and goes on. Compiling and running
// have their own time limits. The parent compiles the default schedule once, so that every
// child inherits what all compiles share (LLVM's targets, Halide's JIT runtime), but never runs
// a kernel: Halide's thread pool and the kernels' JIT memory only ever live in children, and
// memory stays flat over thousands of measurements.
//
// Like AutoTVM's LocalBuilder (n_parallel), up to `build_jobs` configurations of a batch are
// compiled at once, each in its own child; then the built children run one at a time, so that
// no compile competes with a timed kernel. Compiling is single-threaded and most of a tuning
// run's wall time, so on a 2-core machine this nearly halves it.
//
// Timing follows AutoTVM's protocol with a longer warm-up: untimed runs for at least
// `warmup_ms` (the first one's output is checked against the reference), then `repeats` timed
// repeats, each running the kernel back to back enough times to last at least
// `min_repeat_ms`; the median repeat is the result. A kernel more than `slow_cutoff` times
// slower than the best measured so far gets one repeat: it cannot become the best. With
// `cache_flush`, each repeat is one run, timed alone after its weights are evicted from the
// caches. AutoTVM
// warms up with one run; on this machine a fresh process runs its first few milliseconds of kernels
// up to 1.7x slower, which one run does not cover.
//
// Each child's address space is limited (`memory_limit` beyond what it inherits, RLIMIT_AS),
// so a configuration that allocates without bound fails its own allocation (recorded as
// out_of_memory) instead of taking the machine down. Children die with the parent (the thread
// that forked them, PR_SET_PDEATHSIG: Measure's caller) and ignore SIGINT
// and SIGTERM: a stop request (core/stop_request.h) is the parent's to act on, which kills the
// children still working and reports their configurations as cancelled within a tenth of a
// second.
#pragma once

#include <cmath>
#include <optional>
#include <vector>

#include "engine/evaluation.h"
#include "problems/schedule/operator_template.h"
#include "space/space.h"

namespace tessel {

struct LocalMeasurerOptions {
  int threads = 1;               // the kernels' thread count
  int repeats = 5;               // timed repeats per configuration
  double min_repeat_ms = 10;     // lower bound on one repeat's duration
  double warmup_ms = 30;         // untimed runs (the checked one first) for at least this long
  double timeout_s = 10;         // wall time allowed to warm-up, check and repeats together
  double compile_timeout_s = 5;  // wall time allowed to compile one configuration
  int build_jobs = 1;            // configurations compiled at once
  double tolerance = 1e-3;       // max |out - ref| allowed, relative to max |ref|
  // A kernel whose steady run takes over this many times the best median so far gets one
  // timed repeat instead of `repeats` (0: every kernel gets them all).
  double slow_cutoff = 2;
  // Evict the weights from the caches before each run, and time one run per repeat (TVM's
  // enable_cpu_cache_flush with number=1): a network reads each layer's weights once per
  // inference, from memory when they are larger than what the caches keep between layers,
  // while back-to-back runs find them in cache. Closer to how the kernel runs in a network.
  bool cache_flush = false;
  uint64_t data_seed = 0;  // seeds the random input data
  // Bytes of address space each kernel process may map beyond what it inherits from the
  // tuner (0 = no limit). Unset: the memory this process may use shared by the processes that
  // can exist at once (the builds and the one running), at least kMinMemoryLimit.
  std::optional<uint64_t> memory_limit;

  // Compiling a kernel takes up to a few hundred MiB; a lower limit would fail every build.
  static constexpr uint64_t kMinMemoryLimit = uint64_t{256} << 20;
  // memory_limit, or its default for build_jobs.
  uint64_t EffectiveMemoryLimit() const;

  // Throws tessel::Error naming the offending option.
  void Validate() const;
};

// The error of a configuration cancelled by a stop request (EvalStatus::kCancelled).
inline constexpr const char* kCancelledMessage = "not measured: the run was asked to stop";

class LocalMeasurer {
 public:
  // Draws the input data and computes the reference output once. The template must outlive
  // the measurer.
  LocalMeasurer(const OperatorTemplate& tmpl, const LocalMeasurerOptions& options);

  // One result per configuration, in order; every configuration must be valid. Failures
  // (compile errors, wrong results, timeouts, crashes) are statuses, never exceptions.
  std::vector<Evaluation> Measure(const std::vector<Config>& configs);
  // Wall seconds the last Measure spent building kernels: less than the sum of their
  // compile_ms, since they are built in parallel.
  double last_build_seconds() const { return last_build_seconds_; }

 private:
  struct Child;  // a forked process building (then running) one configuration
  Child Launch(const Config& config, const std::vector<Child>& siblings);
  // Waits for the child's build; a result when the build failed (the child is gone then).
  std::optional<Evaluation> AwaitBuilt(Child& child);
  // Lets a built child run its warm-up, check and timed repeats, and reaps it.
  Evaluation RunBuilt(Child& child);

  const OperatorTemplate& template_;
  LocalMeasurerOptions options_;
  OperatorData data_;
  std::vector<float> reference_;
  double last_build_seconds_ = 0;
  double best_ms_ = INFINITY;  // the best median measured so far, for slow_cutoff
};

// The largest |out - ref| relative to the largest |ref| (0 when both are all zero; infinity
// when the sizes differ or the output holds a NaN).
double RelativeError(std::span<const float> out, const std::vector<float>& ref);

}  // namespace tessel
