#include "problems/schedule/local_measurer.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "core/cache_flush.h"
#include "core/error.h"
#include "core/memory_size.h"
#include "core/stats.h"
#include "core/stop_request.h"
#include "problems/schedule/halide_kernel.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

double ElapsedMs(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Halide reports a failed allocation as an error of the pipeline ("Out of memory ..."), which
// is the memory limit at work, not a bug of the schedule.
bool IsOutOfMemoryMessage(const std::string& message) {
  return message.find("Out of memory") != std::string::npos ||
         message.find("out of memory") != std::string::npos;
}

std::string OneLine(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

// Runs in the child: check, time, and report one line to the parent:
//   "ok <ms> <ms> ..." | "wrong_result <message>" | "runtime_error <message>" |
//   "out_of_memory <message>"
std::string RunAndReport(Kernel& kernel, const OperatorData& data,
                         const std::vector<float>& reference, const LocalMeasurerOptions& options,
                         double best_ms) {
  // One run, timed alone; with cache_flush, the weights (the kernel's packed copies and the
  // data's) are evicted first, untimed, as a network layer finds them.
  auto timed_run = [&] {
    if (options.cache_flush) {
      kernel.EvictOwnBuffers();
      EvictFromCaches(data.weights.data(), data.weights.size() * sizeof(float));
    }
    const auto start = Clock::now();
    kernel.Run();
    return std::max(ElapsedMs(start), 1e-4);
  };
  try {
    const double warm_ms = timed_run();
    const double error = RelativeError(kernel.Output(), reference);
    if (!(error <= options.tolerance)) {
      std::ostringstream message;
      message << "wrong_result relative error " << error << " exceeds " << options.tolerance;
      return message.str();
    }
    // The first runs of a fresh process are slow (Halide's worker threads start, pages are
    // first touched, the scheduler settles), for several milliseconds: keep running until
    // warmup_ms has passed, so that the timed repeats see the steady state.
    double warmed_ms = warm_ms, steady_ms = warm_ms;
    while (warmed_ms < options.warmup_ms) {
      const double run_ms = timed_run();
      warmed_ms += run_ms;
      steady_ms = std::min(steady_ms, run_ms);
    }
    const int number = std::max(1, static_cast<int>(std::ceil(options.min_repeat_ms / steady_ms)));
    // A kernel clearly slower than the best so far cannot become the best: one timed repeat
    // places it well enough for a cost model, and the others would be spent on noise.
    const bool clearly_slow = options.slow_cutoff > 0 && steady_ms > options.slow_cutoff * best_ms;
    const int repeats = clearly_slow ? 1 : options.repeats;
    std::ostringstream line;
    line << "ok";
    line.precision(9);
    for (int repeat = 0; repeat < repeats; ++repeat) {
      // Flushed, a repeat is one run, timed alone (TVM advises number=1 with its flush): more
      // runs would pay for more evictions, and one run's time is well above the clock's grain.
      if (options.cache_flush) {
        line << ' ' << timed_run();
        continue;
      }
      const auto start = Clock::now();
      for (int i = 0; i < number; ++i) kernel.Run();
      line << ' ' << ElapsedMs(start) / number;
    }
    return line.str();
  } catch (const KernelRunError& error) {
    const std::string message = OneLine(error.what());
    return (IsOutOfMemoryMessage(message) ? "out_of_memory " : "runtime_error ") + message;
  } catch (const std::bad_alloc&) {
    return "out_of_memory the kernel's allocation failed";
  }
}

// The child's end of its report pipe, for the allocation failure handler.
int report_fd = -1;

// Runs in the child: builds the kernel and reports "built <ms>", "compile_error <ms> <message>"
// or "out_of_memory <ms> <message>" on one line, then (when built, and once told to go) the line of
// RunAndReport.
void BuildRunAndReport(int fd, int go_fd, const OperatorTemplate& tmpl, const Config& config,
                       const OperatorData& data, const std::vector<float>& reference,
                       const LocalMeasurerOptions& options, double best_ms) {
  const auto build_start = Clock::now();
  std::unique_ptr<Kernel> kernel;
  std::ostringstream built;
  built.precision(9);
  try {
    kernel = tmpl.Build(config, data);
  } catch (const KernelBuildError& error) {
    const std::string message = OneLine(error.what());
    built << (IsOutOfMemoryMessage(message) ? "out_of_memory " : "compile_error ")
          << ElapsedMs(build_start) << ' ' << message << '\n';
    WriteAll(fd, built.str());
    return;
  } catch (const std::bad_alloc&) {
    built << "out_of_memory " << ElapsedMs(build_start) << " compiling needed more memory\n";
    WriteAll(fd, built.str());
    return;
  }
  built << "built " << ElapsedMs(build_start) << '\n';
  WriteAll(fd, built.str());
  // Siblings may still be compiling: run only when the parent says so (one byte on go_fd);
  // end of file means the parent gave up on this configuration.
  char go = 0;
  ssize_t got;
  while ((got = read(go_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (got != 1) return;
  // A kernel's failed heap allocation ends this process with its report: the memory limit at
  // work, as a failed allocation of Halide's own checks reported before KernelTarget.
  report_fd = fd;
  SetAllocationFailureHandler([](size_t bytes) {
    char line[96];  // on the stack: the heap just refused
    const int length = std::snprintf(
        line, sizeof(line), "out_of_memory the kernel could not allocate %zu bytes\n", bytes);
    for (int written = 0; written < length;) {
      const ssize_t n = write(report_fd, line + written, length - written);
      if (n <= 0 && errno != EINTR) break;
      if (n > 0) written += static_cast<int>(n);
    }
    _exit(0);
  });
  WriteAll(fd, RunAndReport(*kernel, data, reference, options, best_ms) + "\n");
}

// How often a wait looks at the stop request.
constexpr int kStopCheckMs = 100;

// Reads newline-terminated lines from the child's pipe, each by its own deadline.
class ReportReader {
 public:
  struct Line {
    std::string text;        // without the newline
    bool complete = false;   // false: end of file before a newline (the child died)
    bool timed_out = false;  // the deadline passed first
    bool stopped = false;    // a stop was requested first (core/stop_request.h)
  };

  explicit ReportReader(int fd) : fd_(fd) {}

  Line ReadLine(Clock::time_point deadline) {
    Line line;
    bool looked_since_stop = false;
    for (;;) {
      const size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        line.text = pending_.substr(0, newline);
        line.complete = true;
        pending_.erase(0, newline + 1);
        return line;
      }
      if (eof_) return line;
      // After a stop request, what the child already wrote still counts (a measurement that
      // finished is kept): one more look without waiting, then give up.
      const bool stopping = StopRequested();
      if (stopping && looked_since_stop) {
        line.stopped = true;
        return line;
      }
      looked_since_stop = stopping;
      const double left_ms =
          std::chrono::duration<double, std::milli>(deadline - Clock::now()).count();
      // Past the deadline, what the child already wrote still counts too (with parallel builds
      // a child is often read long after it reported): one look without waiting. Waits are
      // cut into slices so that a stop request that lands just before poll() is seen soon.
      pollfd poll_fd{fd_, POLLIN, 0};
      const int wait_ms = left_ms > 0 && !stopping
                              ? std::min(kStopCheckMs, static_cast<int>(std::ceil(left_ms)))
                              : 0;
      const int ready = poll(&poll_fd, 1, wait_ms);
      if (ready <= 0 && left_ms <= 0) {
        line.timed_out = true;
        return line;
      }
      if (ready <= 0) continue;  // interrupted or not ready yet: check the deadline again
      char buffer[4096];
      const ssize_t n = read(fd_, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      pending_.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string pending_;
  bool eof_ = false;
};

// Writes the byte that lets a built child run; false when the child is gone. A child that
// vanished would raise SIGPIPE, which would end this process: it is blocked for the write and
// a pending one is consumed.
bool SendGo(int go_fd) {
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  const char go = 'g';
  ssize_t written;
  while ((written = write(go_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (written < 0 && errno == EPIPE) {
    const timespec no_wait{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return written == 1;
}

int WaitForExit(pid_t child) {
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string SignalDescription(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "process killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "process exited with status " + std::to_string(WEXITSTATUS(status)) + " without reporting";
}

// Runs first in a new child: it dies with the parent (a killed tuner leaves no kernel
// processes behind), leaves SIGINT and SIGTERM to the parent (a Ctrl-C reaches the whole
// foreground process group, and the parent decides what to keep), writes no core file, and
// gets its address-space limit.
void PrepareChild(pid_t parent, uint64_t memory_limit) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  const rlimit no_core_dumps{0, 0};
  setrlimit(RLIMIT_CORE, &no_core_dumps);
  LimitAddressSpaceGrowth(memory_limit);
}

}  // namespace

void LocalMeasurerOptions::Validate() const {
  if (threads < 1) throw ConfigError("--threads must be at least 1");
  if (repeats < 1) throw ConfigError("--repeats must be at least 1");
  if (!(min_repeat_ms >= 0)) throw ConfigError("--min-repeat-ms must not be negative");
  if (!(warmup_ms >= 0)) throw ConfigError("--warmup-ms must not be negative");
  if (!(timeout_s > 0)) throw ConfigError("--timeout must be positive");
  if (!(compile_timeout_s > 0)) throw ConfigError("--compile-timeout must be positive");
  if (build_jobs < 1) throw ConfigError("--build-jobs must be at least 1");
  if (!(tolerance > 0)) throw ConfigError("the correctness tolerance must be positive");
  if (!(slow_cutoff == 0 || slow_cutoff >= 1))
    throw ConfigError("--slow-cutoff must be 0 (time every kernel fully) or at least 1, e.g. 2");
  if (memory_limit && *memory_limit != 0 && *memory_limit < kMinMemoryLimit)
    throw ConfigError("--memory-limit " + FormatMemorySize(*memory_limit) +
                      " is too small for a kernel process (compiling a kernel takes up to a few "
                      "hundred MiB); give at least " +
                      FormatMemorySize(kMinMemoryLimit) + ", or 0 for no limit");
}

uint64_t LocalMeasurerOptions::EffectiveMemoryLimit() const {
  if (memory_limit) return *memory_limit;
  const uint64_t share = UsableMemoryBytes() / static_cast<uint64_t>(std::max(build_jobs, 1) + 1);
  return share == 0 ? 0 : std::max(share, kMinMemoryLimit);
}

double RelativeError(std::span<const float> out, const std::vector<float>& ref) {
  if (out.size() != ref.size()) return INFINITY;
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double diff = std::fabs(double(out[i]) - ref[i]);
    if (std::isnan(diff)) return INFINITY;
    max_diff = std::max(max_diff, diff);
    max_ref = std::max(max_ref, std::fabs(double(ref[i])));
  }
  if (max_ref == 0) return max_diff == 0 ? 0 : INFINITY;
  return max_diff / max_ref;
}

LocalMeasurer::LocalMeasurer(const OperatorTemplate& tmpl, const LocalMeasurerOptions& options)
    : template_(tmpl), options_(options) {
  options_.Validate();
  // Halide reads the thread count when its thread pool starts, which happens in the children.
  setenv("HL_NUM_THREADS", std::to_string(options_.threads).c_str(), 1);
  Rng rng(options_.data_seed);
  data_ = template_.RandomData(rng);
  reference_ = template_.Reference(data_);
  // Compiling the default schedule once here sets up what every compile shares (LLVM's
  // targets, Halide's JIT runtime modules), so each child inherits it instead of redoing it:
  // that is about a quarter of a typical configuration's compile time. A failure here is the
  // children's to report.
  try {
    if (!StopRequested()) template_.Build(template_.DefaultConfig(), data_);
  } catch (const KernelBuildError&) {
  }
}

struct LocalMeasurer::Child {
  pid_t pid = -1;
  int report_fd = -1;  // the child's lines
  int go_fd = -1;      // one byte lets a built child run
  Clock::time_point start;
  std::optional<ReportReader> reader;
  double compile_ms = 0;  // as the child reported it, once built
  bool reaped = false;
  int exit_status = 0;

  int Reap() {
    if (!reaped) exit_status = WaitForExit(pid);
    reaped = true;
    return exit_status;
  }
  // Closes the pipes, kills the child if it is still there (done with it, or out of time:
  // exiting is all it has left) and reaps it.
  void Finish() {
    if (report_fd >= 0) close(report_fd);
    if (go_fd >= 0) close(go_fd);
    report_fd = go_fd = -1;
    if (pid < 0) return;  // never started
    if (!reaped) kill(pid, SIGKILL);
    Reap();
  }
};

std::vector<Evaluation> LocalMeasurer::Measure(const std::vector<Config>& configs) {
  const size_t count = configs.size();
  std::vector<Evaluation> results(count);
  std::vector<Child> children;
  children.reserve(count);
  std::vector<bool> built(count, false);
  // Build the batch, `build_jobs` at a time in launch order (a finished build makes room for
  // the next), then run the built kernels one at a time.
  const auto build_start = Clock::now();
  try {
    // After a stop request nothing new is launched; the children already launched are killed
    // (their waits below see the request) and their configurations reported as cancelled,
    // unless they had already reported a result.
    auto launch_next = [&] {
      if (StopRequested()) {
        results[children.size()].status = EvalStatus::kCancelled;
        results[children.size()].error = kCancelledMessage;
        children.emplace_back();  // never started: nothing to wait for
      } else {
        children.push_back(Launch(configs[children.size()], children));
      }
    };
    while (children.size() < std::min<size_t>(count, options_.build_jobs)) launch_next();
    for (size_t c = 0; c < count; ++c) {
      if (children[c].pid < 0) continue;
      std::optional<Evaluation> failed = AwaitBuilt(children[c]);
      if (failed) {
        results[c] = std::move(*failed);
      } else {
        built[c] = true;
      }
      if (children.size() < count) launch_next();
    }
  } catch (...) {
    for (Child& child : children) child.Finish();
    throw;
  }
  last_build_seconds_ = ElapsedMs(build_start) / 1000;
  for (size_t c = 0; c < count; ++c)
    if (built[c]) results[c] = RunBuilt(children[c]);
  return results;
}

LocalMeasurer::Child LocalMeasurer::Launch(const Config& config,
                                           const std::vector<Child>& siblings) {
  int report_pipe[2], go_pipe[2];
  if (pipe(report_pipe) != 0)
    throw IoError(std::string("cannot create a pipe: ") + strerror(errno));
  if (pipe(go_pipe) != 0) {
    close(report_pipe[0]);
    close(report_pipe[1]);
    throw IoError(std::string("cannot create a pipe: ") + strerror(errno));
  }
  std::cout.flush();
  std::cerr.flush();
  Child child;
  child.start = Clock::now();
  const pid_t parent = getpid();
  child.pid = fork();
  if (child.pid < 0) {
    for (int fd : {report_pipe[0], report_pipe[1], go_pipe[0], go_pipe[1]}) close(fd);
    throw IoError(std::string("cannot fork a kernel process: ") + strerror(errno));
  }
  if (child.pid == 0) {
    close(report_pipe[0]);
    close(go_pipe[1]);
    // The siblings' pipes are theirs: holding them open would hide their ends of file.
    for (const Child& sibling : siblings) {
      if (sibling.report_fd >= 0) close(sibling.report_fd);
      if (sibling.go_fd >= 0) close(sibling.go_fd);
    }
    PrepareChild(parent, options_.EffectiveMemoryLimit());
    BuildRunAndReport(report_pipe[1], go_pipe[0], template_, config, data_, reference_, options_,
                      best_ms_);
    _exit(0);
  }
  close(report_pipe[1]);
  close(go_pipe[0]);
  child.report_fd = report_pipe[0];
  child.go_fd = go_pipe[1];
  child.reader.emplace(child.report_fd);
  return child;
}

std::optional<Evaluation> LocalMeasurer::AwaitBuilt(Child& child) {
  Evaluation result;
  auto fail = [&](EvalStatus status, std::string error) {
    child.Finish();
    result.status = status;
    result.error = std::move(error);
    return result;
  };
  const auto compile_deadline =
      child.start + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(options_.compile_timeout_s));
  const ReportReader::Line built = child.reader->ReadLine(compile_deadline);
  if (built.stopped) return fail(EvalStatus::kCancelled, kCancelledMessage);
  if (built.timed_out) {
    result.compile_ms = ElapsedMs(child.start);
    std::ostringstream message;
    message << "compiling exceeded the " << options_.compile_timeout_s << " s time limit";
    return fail(EvalStatus::kTimeout, message.str());
  }
  if (!built.complete) {
    result.compile_ms = ElapsedMs(child.start);
    return fail(EvalStatus::kCompileError, "compiler " + SignalDescription(child.Reap()));
  }
  std::istringstream built_words(built.text);
  std::string kind;
  built_words >> kind >> result.compile_ms;
  if (kind == "compile_error" || kind == "out_of_memory") {
    std::string message;
    std::getline(built_words >> std::ws, message);
    return fail(EvalStatusFromName(kind), message);
  }
  TESSEL_CHECK(kind == "built") << "unexpected report from the kernel process: " << built.text;
  child.compile_ms = result.compile_ms;
  return std::nullopt;
}

Evaluation LocalMeasurer::RunBuilt(Child& child) {
  Evaluation result;
  result.compile_ms = child.compile_ms;
  auto finish = [&](EvalStatus status, std::string error) {
    child.Finish();
    result.status = status;
    result.error = std::move(error);
    return result;
  };
  if (StopRequested()) return finish(EvalStatus::kCancelled, kCancelledMessage);
  if (!SendGo(child.go_fd)) {
    // The child is gone already; what it left says why.
    return finish(EvalStatus::kCrash, "kernel " + SignalDescription(child.Reap()));
  }
  const auto run_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(options_.timeout_s));
  const ReportReader::Line report = child.reader->ReadLine(run_deadline);
  if (report.stopped) return finish(EvalStatus::kCancelled, kCancelledMessage);
  if (report.timed_out) {
    std::ostringstream message;
    message << "measurement exceeded the " << options_.timeout_s << " s time limit";
    return finish(EvalStatus::kTimeout, message.str());
  }
  if (!report.complete)
    return finish(EvalStatus::kCrash, "kernel " + SignalDescription(child.Reap()));
  std::istringstream words(report.text);
  std::string kind;
  words >> kind;
  if (kind == "ok") {
    double ms;
    while (words >> ms) result.repeats.push_back(ms);
    TESSEL_CHECK(!result.repeats.empty()) << "empty timing report";
    result.value = Median(result.repeats);
    const auto [fastest, slowest] =
        std::minmax_element(result.repeats.begin(), result.repeats.end());
    result.spread = *slowest - *fastest;
    best_ms_ = std::min(best_ms_, result.value);
    return finish(EvalStatus::kOk, "");
  }
  std::string message;
  std::getline(words >> std::ws, message);
  return finish(EvalStatusFromName(kind), message);
}

}  // namespace tessel
