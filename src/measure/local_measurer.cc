#include "measure/local_measurer.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/error.h"
#include "core/stats.h"

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

// Runs in the child: check, time, and report one line to the parent:
//   "ok <ms> <ms> ..." | "wrong_result <message>" | "runtime_error <message>"
std::string RunAndReport(Kernel& kernel, const std::vector<float>& reference,
                         const LocalMeasurerOptions& options) {
  try {
    const auto warm_start = Clock::now();
    kernel.Run();
    const double warm_ms = std::max(ElapsedMs(warm_start), 1e-4);
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
      const auto run_start = Clock::now();
      kernel.Run();
      const double run_ms = std::max(ElapsedMs(run_start), 1e-4);
      warmed_ms += run_ms;
      steady_ms = std::min(steady_ms, run_ms);
    }
    const int number = std::max(1, static_cast<int>(std::ceil(options.min_repeat_ms / steady_ms)));
    std::ostringstream line;
    line << "ok";
    line.precision(9);
    for (int repeat = 0; repeat < options.repeats; ++repeat) {
      const auto start = Clock::now();
      for (int i = 0; i < number; ++i) kernel.Run();
      line << ' ' << ElapsedMs(start) / number;
    }
    return line.str();
  } catch (const KernelRunError& error) {
    std::string message = error.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    return "runtime_error " + message;
  }
}

// Runs in the child: builds the kernel and reports "built <ms>" or "compile_error <ms> <message>"
// on one line, then (when built) the line of RunAndReport.
void BuildRunAndReport(int fd, const OperatorTemplate& tmpl, const Config& config,
                       const OperatorData& data, const std::vector<float>& reference,
                       const LocalMeasurerOptions& options) {
  const auto build_start = Clock::now();
  std::unique_ptr<Kernel> kernel;
  std::ostringstream built;
  built.precision(9);
  try {
    kernel = tmpl.Build(config, data);
  } catch (const KernelBuildError& error) {
    std::string message = error.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    built << "compile_error " << ElapsedMs(build_start) << ' ' << message << '\n';
    WriteAll(fd, built.str());
    return;
  }
  built << "built " << ElapsedMs(build_start) << '\n';
  WriteAll(fd, built.str());
  WriteAll(fd, RunAndReport(*kernel, reference, options) + "\n");
}

// Reads newline-terminated lines from the child's pipe, each by its own deadline.
class ReportReader {
 public:
  struct Line {
    std::string text;        // without the newline
    bool complete = false;   // false: end of file before a newline (the child died)
    bool timed_out = false;  // the deadline passed first
  };

  explicit ReportReader(int fd) : fd_(fd) {}

  Line ReadLine(Clock::time_point deadline) {
    Line line;
    for (;;) {
      const size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        line.text = pending_.substr(0, newline);
        line.complete = true;
        pending_.erase(0, newline + 1);
        return line;
      }
      if (eof_) return line;
      const double left_ms =
          std::chrono::duration<double, std::milli>(deadline - Clock::now()).count();
      if (left_ms <= 0) {
        line.timed_out = true;
        return line;
      }
      pollfd poll_fd{fd_, POLLIN, 0};
      const int ready = poll(&poll_fd, 1, static_cast<int>(std::ceil(left_ms)));
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

}  // namespace

void LocalMeasurerOptions::Validate() const {
  if (threads < 1) throw ConfigError("--threads must be at least 1");
  if (repeats < 1) throw ConfigError("--repeats must be at least 1");
  if (!(min_repeat_ms >= 0)) throw ConfigError("--min-repeat-ms must not be negative");
  if (!(warmup_ms >= 0)) throw ConfigError("--warmup-ms must not be negative");
  if (!(timeout_s > 0)) throw ConfigError("--timeout must be positive");
  if (!(compile_timeout_s > 0)) throw ConfigError("--compile-timeout must be positive");
  if (!(tolerance > 0)) throw ConfigError("the correctness tolerance must be positive");
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
    template_.Build(template_.DefaultConfig(), data_);
  } catch (const KernelBuildError&) {
  }
}

std::vector<MeasureResult> LocalMeasurer::Measure(const std::vector<Config>& configs) {
  std::vector<MeasureResult> results;
  results.reserve(configs.size());
  for (const Config& config : configs) results.push_back(MeasureOne(config));
  return results;
}

MeasureResult LocalMeasurer::MeasureOne(const Config& config) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw IoError(std::string("cannot create a pipe: ") + strerror(errno));
  std::cout.flush();
  std::cerr.flush();
  const auto start = Clock::now();
  const pid_t child = fork();
  if (child < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw IoError(std::string("cannot fork a kernel process: ") + strerror(errno));
  }
  if (child == 0) {
    close(pipe_fds[0]);
    const rlimit no_core_dumps{0, 0};  // a crashing kernel should not write a core file
    setrlimit(RLIMIT_CORE, &no_core_dumps);
    BuildRunAndReport(pipe_fds[1], template_, config, data_, reference_, options_);
    _exit(0);
  }
  close(pipe_fds[1]);
  ReportReader reader(pipe_fds[0]);

  MeasureResult result;
  bool reaped = false;
  int exit_status = 0;
  auto reap = [&] {
    if (!reaped) exit_status = WaitForExit(child);
    reaped = true;
    return exit_status;
  };
  auto finish = [&](MeasureStatus status, std::string error) {
    close(pipe_fds[0]);
    if (!reaped) kill(child, SIGKILL);  // done with it, or out of time; exiting is all it has left
    reap();
    result.status = status;
    result.error = std::move(error);
    return result;
  };

  // Phase 1: compiling, bounded by the compile timeout.
  const auto compile_deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(options_.compile_timeout_s));
  const ReportReader::Line built = reader.ReadLine(compile_deadline);
  if (built.timed_out) {
    result.compile_ms = ElapsedMs(start);
    std::ostringstream message;
    message << "compiling exceeded the " << options_.compile_timeout_s << " s time limit";
    return finish(MeasureStatus::kTimeout, message.str());
  }
  if (!built.complete) {
    result.compile_ms = ElapsedMs(start);
    return finish(MeasureStatus::kCompileError, "compiler " + SignalDescription(reap()));
  }
  std::istringstream built_words(built.text);
  std::string kind;
  built_words >> kind >> result.compile_ms;
  if (kind == "compile_error") {
    std::string message;
    std::getline(built_words >> std::ws, message);
    return finish(MeasureStatus::kCompileError, message);
  }
  TESSEL_CHECK(kind == "built") << "unexpected report from the kernel process: " << built.text;

  // Phase 2: warm-up, check and timed repeats, bounded by the run timeout.
  const auto run_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(options_.timeout_s));
  const ReportReader::Line report = reader.ReadLine(run_deadline);
  if (report.timed_out) {
    std::ostringstream message;
    message << "measurement exceeded the " << options_.timeout_s << " s time limit";
    return finish(MeasureStatus::kTimeout, message.str());
  }
  if (!report.complete) return finish(MeasureStatus::kCrash, "kernel " + SignalDescription(reap()));
  std::istringstream words(report.text);
  words >> kind;
  if (kind == "ok") {
    double ms;
    while (words >> ms) result.repeats_ms.push_back(ms);
    TESSEL_CHECK(!result.repeats_ms.empty()) << "empty timing report";
    result.time_ms = Median(result.repeats_ms);
    const auto [fastest, slowest] =
        std::minmax_element(result.repeats_ms.begin(), result.repeats_ms.end());
    result.spread_ms = *slowest - *fastest;
    return finish(MeasureStatus::kOk, "");
  }
  std::string message;
  std::getline(words >> std::ws, message);
  return finish(MeasureStatusFromName(kind), message);
}

}  // namespace tessel
