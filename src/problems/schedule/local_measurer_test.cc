#include "problems/schedule/local_measurer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "core/stop_request.h"

namespace tessel {
namespace {

// A template whose single knob says how its kernel behaves, so every failure path of the
// measurer can be exercised without a compiler.
class ScriptedTemplate : public OperatorTemplate {
 public:
  ScriptedTemplate()
      : workload_(DenseShape{1, 4, 4}),
        space_({{"behaviour",
                 {std::string("ok"), std::string("build_error"), std::string("run_error"),
                  std::string("wrong"), std::string("crash"), std::string("hang"),
                  std::string("build_crash"), std::string("build_hang"),
                  std::string("build_slow")}}}) {}

  std::string name() const override { return "scripted"; }
  int version() const override { return 1; }
  const Workload& workload() const override { return workload_; }
  const Space& space() const override { return space_; }
  Config DefaultConfig() const override { return {0}; }
  OperatorData RandomData(Rng&) const override { return {{1, 2, 3, 4}, {}}; }
  std::vector<float> Reference(const OperatorData& data) const override { return data.input; }
  LoopNest DescribeLoops(const Config&) const override { return {}; }

  std::unique_ptr<Kernel> Build(const Config& config, const OperatorData& data) const override {
    const std::string behaviour = std::get<std::string>(space_.Value(config, 0));
    if (behaviour == "build_error") throw KernelBuildError("scripted build error");
    if (behaviour == "build_crash") abort();
    if (behaviour == "build_hang") sleep(100);
    if (behaviour == "build_slow") usleep(500'000);
    return std::make_unique<ScriptedKernel>(behaviour, data.input);
  }
  std::unique_ptr<Kernel> BuildLayer(const Config&, const LayerBinding&) const override {
    throw KernelBuildError("the scripted template measures only");
  }

 private:
  class ScriptedKernel : public Kernel {
   public:
    ScriptedKernel(std::string behaviour, std::vector<float> out)
        : behaviour_(std::move(behaviour)), out_(std::move(out)) {}
    void Run() override {
      if (behaviour_ == "run_error") throw KernelRunError("scripted run error");
      if (behaviour_ == "wrong") out_[2] += 1;
      if (behaviour_ == "crash") raise(SIGSEGV);
      if (behaviour_ == "hang") sleep(100);
    }
    std::span<const float> Output() const override { return out_; }
    // Counted in a file, since kernels run in the measurer's child processes.
    void EvictOwnBuffers() override {
      if (!eviction_log.empty()) std::ofstream(eviction_log, std::ios::app) << "evicted\n";
    }

   private:
    std::string behaviour_;
    std::vector<float> out_;
  };

 public:
  static inline std::string eviction_log;

  Workload workload_;
  Space space_;
};

class LocalMeasurerJobsTest : public testing::TestWithParam<int> {};

TEST_P(LocalMeasurerJobsTest, EveryFailureIsRecordedAndTheRunGoesOn) {
  ScriptedTemplate tmpl;
  LocalMeasurerOptions options;
  options.build_jobs = GetParam();
  options.timeout_s = 1;
  options.min_repeat_ms = 1;
  LocalMeasurer measurer(tmpl, options);
  const std::vector<Evaluation> results = measurer.Measure({{0}, {1}, {2}, {3}, {4}, {5}, {0}});
  ASSERT_EQ(results.size(), 7u);
  EXPECT_EQ(results[0].status, EvalStatus::kOk);
  EXPECT_EQ(results[0].repeats.size(), 5u);
  EXPECT_GE(results[0].value, 0);
  EXPECT_EQ(results[1].status, EvalStatus::kCompileError);
  EXPECT_EQ(results[1].error, "scripted build error");
  EXPECT_EQ(results[2].status, EvalStatus::kRuntimeError);
  EXPECT_EQ(results[2].error, "scripted run error");
  EXPECT_EQ(results[3].status, EvalStatus::kWrongResult);
  EXPECT_EQ(results[4].status, EvalStatus::kCrash);
  EXPECT_NE(results[4].error.find("signal 11"), std::string::npos) << results[4].error;
  EXPECT_EQ(results[5].status, EvalStatus::kTimeout);
  EXPECT_EQ(results[6].status, EvalStatus::kOk);  // still measuring after all that
  for (size_t i = 1; i < 6; ++i) EXPECT_TRUE(std::isnan(results[i].value)) << i;
}

TEST_P(LocalMeasurerJobsTest, ACompilerThatCrashesOrHangsIsRecordedAndTheRunGoesOn) {
  ScriptedTemplate tmpl;
  LocalMeasurerOptions options;
  options.build_jobs = GetParam();
  options.compile_timeout_s = 1;
  options.min_repeat_ms = 1;
  LocalMeasurer measurer(tmpl, options);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Evaluation> results = measurer.Measure({{6}, {7}, {0}});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, EvalStatus::kCompileError);
  EXPECT_NE(results[0].error.find("signal 6"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[1].status, EvalStatus::kTimeout);
  EXPECT_NE(results[1].error.find("compiling"), std::string::npos) << results[1].error;
  EXPECT_GE(results[1].compile_ms, 1000);
  EXPECT_EQ(results[2].status, EvalStatus::kOk);
  EXPECT_LT(seconds, 30) << "the hanging compile was not cut off";
}

// One build at a time, and more builds at once than the batch has.
INSTANTIATE_TEST_SUITE_P(BuildJobs, LocalMeasurerJobsTest, testing::Values(1, 3, 8));

TEST(LocalMeasurerTest, AStopRequestCancelsWhatIsInFlightAndKeepsWhatFinished) {
  ScriptedTemplate tmpl;
  LocalMeasurerOptions options;
  options.build_jobs = 2;
  options.min_repeat_ms = 1;
  options.timeout_s = 60;
  LocalMeasurer measurer(tmpl, options);
  // The second configuration hangs in its run; the stop lands while it does, late enough for
  // the first one to be measured on a loaded machine or under the sanitizers.
  static constexpr double kStopAfterSeconds = 3;
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::duration<double>(kStopAfterSeconds));
    RequestStop(SIGINT);
  });
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Evaluation> results = measurer.Measure({{0}, {5}, {0}, {8}});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stopper.join();
  ClearStopRequest();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].status, EvalStatus::kOk) << results[0].error;
  for (size_t i = 1; i < results.size(); ++i)
    EXPECT_EQ(results[i].status, EvalStatus::kCancelled) << i << ": " << results[i].error;
  EXPECT_LT(seconds, kStopAfterSeconds + 1.0) << "the stop was not acted on within a second";
}

TEST(LocalMeasurerTest, BuildsOverlapWhileRunsStayOneAtATime) {
  ScriptedTemplate tmpl;
  LocalMeasurerOptions options;
  options.min_repeat_ms = 1;
  options.build_jobs = 4;
  LocalMeasurer measurer(tmpl, options);
  const std::vector<Evaluation> results = measurer.Measure({{8}, {8}, {8}, {8}, {0}});
  double compile_seconds = 0;
  for (const Evaluation& result : results) {
    EXPECT_EQ(result.status, EvalStatus::kOk) << result.error;
    compile_seconds += result.compile_ms / 1000;
  }
  // Four half-second builds: two seconds one after the other, about half a second at once.
  EXPECT_GE(compile_seconds, 2.0);
  EXPECT_LT(measurer.last_build_seconds(), 1.5);
  EXPECT_GE(measurer.last_build_seconds(), 0.5);
}

TEST(LocalMeasurerTest, RealKernelsAreTimedAndChecked) {
  const auto tmpl =
      MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=8,h=12,w=12,k=16,r=3,s=3,pad=1"));
  LocalMeasurerOptions options;
  options.min_repeat_ms = 1;
  options.repeats = 3;
  LocalMeasurer measurer(*tmpl, options);
  const std::vector<Evaluation> results = measurer.Measure({tmpl->DefaultConfig()});
  ASSERT_EQ(results[0].status, EvalStatus::kOk) << results[0].error;
  EXPECT_GT(results[0].value, 0);
  EXPECT_GT(results[0].compile_ms, 0);
  EXPECT_GE(results[0].spread, 0);
  EXPECT_EQ(results[0].repeats.size(), 3u);
}

// With cache_flush every run, the checked one and the warm-up included, first evicts the
// kernel's buffers, and a repeat is one run; without it nothing is evicted.
TEST(LocalMeasurerTest, CacheFlushEvictsTheWeightsBeforeEveryRun) {
  ScriptedTemplate tmpl;
  ScriptedTemplate::eviction_log = testing::TempDir() + "evictions.txt";
  auto evictions = [] {
    std::ifstream log(ScriptedTemplate::eviction_log);
    int lines = 0;
    for (std::string line; std::getline(log, line);) ++lines;
    return lines;
  };
  for (const bool flush : {false, true}) {
    std::remove(ScriptedTemplate::eviction_log.c_str());
    LocalMeasurerOptions options;
    options.cache_flush = flush;
    options.repeats = 3;    // flushed, of one run each whatever --min-repeat-ms
    options.warmup_ms = 0;  // the checked run only
    LocalMeasurer measurer(tmpl, options);
    const std::vector<Evaluation> results = measurer.Measure({{0}});
    ASSERT_EQ(results[0].status, EvalStatus::kOk) << results[0].error;
    EXPECT_EQ(results[0].repeats.size(), 3u);
    EXPECT_EQ(evictions(), flush ? 4 : 0);
  }
  ScriptedTemplate::eviction_log.clear();

  // A real kernel, its packed weights evicted before each run, still checks and times.
  const auto conv =
      MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=8,h=12,w=12,k=16,r=1,s=1,layout=nhwc"));
  LocalMeasurerOptions options;
  options.cache_flush = true;
  options.min_repeat_ms = 1;
  options.repeats = 3;
  LocalMeasurer measurer(*conv, options);
  const std::vector<Evaluation> results = measurer.Measure({conv->DefaultConfig()});
  ASSERT_EQ(results[0].status, EvalStatus::kOk) << results[0].error;
  EXPECT_GT(results[0].value, 0);
  EXPECT_EQ(results[0].repeats.size(), 3u);
}

long ResidentKilobytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(LocalMeasurerTest, MemoryStaysFlatAcrossManyCompiledKernels) {
#if defined(__SANITIZE_ADDRESS__)
  // Resident memory there holds AddressSanitizer's quarantine of freed blocks and its shadow;
  // its leak checker (on in that build) is what looks for kept pipelines.
  GTEST_SKIP() << "resident memory is AddressSanitizer's to manage in this build";
#endif
  const auto tmpl = MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=4,h=8,w=8,k=8,r=3,s=3,pad=1"));
  Rng rng(3);
  const OperatorData data = tmpl->RandomData(rng);
  auto build_some = [&](int count) {
    for (int i = 0; i < count; ++i) tmpl->Build(*tmpl->space().SampleValid(rng), data);
  };
  build_some(20);  // warm up the JIT runtime and allocator
  const long before = ResidentKilobytes();
  build_some(120);
  const long growth = ResidentKilobytes() - before;
  // A kept pipeline holds about 1.5 MB, so leaking them would grow by well over 100 MB.
  EXPECT_LT(growth, 40 * 1024) << "resident memory grew by " << growth << " kB";
}

TEST(LocalMeasurerTest, BadOptionsAreErrors) {
  LocalMeasurerOptions options;
  options.repeats = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = {};
  options.timeout_s = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = {};
  options.threads = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = {};
  options.warmup_ms = -1;
  EXPECT_THROW(options.Validate(), Error);
  options = {};
  options.compile_timeout_s = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = {};
  options.build_jobs = 0;
  EXPECT_THROW(options.Validate(), Error);
}

}  // namespace
}  // namespace tessel
