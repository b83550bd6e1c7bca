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
    const int number = std::max(1, static_cast<int>(std::ceil(options.min_repeat_ms / warm_ms)));
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

std::string SignalDescription(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "kernel process killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "kernel process exited with status " + std::to_string(WEXITSTATUS(status)) +
         " without reporting";
}

}  // namespace

void LocalMeasurerOptions::Validate() const {
  if (threads < 1) throw ConfigError("--threads must be at least 1");
  if (repeats < 1) throw ConfigError("--repeats must be at least 1");
  if (!(min_repeat_ms >= 0)) throw ConfigError("--min-repeat-ms must not be negative");
  if (!(timeout_s > 0)) throw ConfigError("--timeout must be positive");
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
}

std::vector<MeasureResult> LocalMeasurer::Measure(const std::vector<Config>& configs) {
  std::vector<MeasureResult> results;
  results.reserve(configs.size());
  for (const Config& config : configs) results.push_back(MeasureOne(config));
  return results;
}

MeasureResult LocalMeasurer::MeasureOne(const Config& config) {
  MeasureResult result;
  std::unique_ptr<Kernel> kernel;
  const auto build_start = Clock::now();
  try {
    kernel = template_.Build(config, data_);
  } catch (const KernelBuildError& error) {
    result.compile_ms = ElapsedMs(build_start);
    result.status = MeasureStatus::kCompileError;
    result.error = error.what();
    return result;
  }
  result.compile_ms = ElapsedMs(build_start);

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw IoError(std::string("cannot create a pipe: ") + strerror(errno));
  std::cout.flush();
  std::cerr.flush();
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
    WriteAll(pipe_fds[1], RunAndReport(*kernel, reference_, options_) + "\n");
    _exit(0);
  }
  close(pipe_fds[1]);

  // Read the report until end of file or the deadline.
  std::string report;
  const auto deadline = Clock::now() + std::chrono::duration<double>(options_.timeout_s);
  bool timed_out = false;
  for (;;) {
    const double left_ms =
        std::chrono::duration<double, std::milli>(deadline - Clock::now()).count();
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(std::ceil(left_ms)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  if (timed_out) kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  if (timed_out) {
    result.status = MeasureStatus::kTimeout;
    std::ostringstream message;
    message << "measurement exceeded the " << options_.timeout_s << " s time limit";
    result.error = message.str();
    return result;
  }
  if (report.empty() || report.back() != '\n') {
    result.status = MeasureStatus::kCrash;
    result.error = SignalDescription(status);
    return result;
  }
  report.pop_back();
  std::istringstream words(report);
  std::string kind;
  words >> kind;
  if (kind == "ok") {
    double ms;
    while (words >> ms) result.repeats_ms.push_back(ms);
    TESSEL_CHECK(!result.repeats_ms.empty()) << "empty timing report";
    result.time_ms = Median(result.repeats_ms);
    const auto [fastest, slowest] =
        std::minmax_element(result.repeats_ms.begin(), result.repeats_ms.end());
    result.spread_ms = *slowest - *fastest;
    return result;
  }
  std::string message;
  std::getline(words >> std::ws, message);
  result.status = MeasureStatusFromName(kind);
  result.error = message;
  return result;
}

}  // namespace tessel
