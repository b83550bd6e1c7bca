// Real Halide kernels that fail the way tuned schedules can (an access far out of bounds, a
// loop that never ends in time, an allocation beyond the kernel process's memory limit),
// measured by the real measurer and tuned by the real tuning loop: each is recorded with its
// status, none becomes the best, and the run goes on.
#include <Halide.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/memory_size.h"
#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/schedule_problem.h"
#include "records/record_store.h"
#include "tune/presets.h"
#include "tune/tuning.h"

namespace tessel {
namespace {

constexpr int kLength = 16;

// One knob, `kernel`, picks what the compiled pipeline does; "ok" doubles its input, which is
// the reference.
class FaultyHalideTemplate : public OperatorTemplate {
 public:
  FaultyHalideTemplate()
      : workload_(DenseShape{1, kLength, kLength}),
        space_({{"kernel",
                 {std::string("ok"), std::string("out_of_bounds"), std::string("endless"),
                  std::string("huge_allocation")}}}) {}

  std::string name() const override { return "faulty"; }
  int version() const override { return 1; }
  const Workload& workload() const override { return workload_; }
  const Space& space() const override { return space_; }
  Config DefaultConfig() const override { return {0}; }
  OperatorData RandomData(Rng& rng) const override {
    OperatorData data;
    for (int i = 0; i < kLength; ++i) data.input.push_back(static_cast<float>(rng.UniformReal()));
    return data;
  }
  std::vector<float> Reference(const OperatorData& data) const override {
    std::vector<float> out;
    for (float v : data.input) out.push_back(2 * v);
    return out;
  }
  LoopNest DescribeLoops(const Config&) const override { return {}; }

  std::unique_ptr<Kernel> Build(const Config& config, const OperatorData& data) const override {
    const std::string kernel = std::get<std::string>(space_.Value(config, 0));
    Halide::Buffer<float> input(const_cast<float*>(data.input.data()), kLength);
    Halide::Var x("x"), y("y");
    Halide::Func out("out");
    // Halide guards every access with an assertion; the broken kernel is compiled without
    // them, as a wrong schedule or extern would be, so it really reads 4 GiB past its input.
    Halide::Target target = HostTarget();
    if (kernel == "ok") {
      out(x) = input(x) * 2;
    } else if (kernel == "out_of_bounds") {
      out(x) = input(x + (1 << 30)) * 2;
      target = target.with_feature(Halide::Target::NoAsserts);
    } else if (kernel == "endless") {
      // 2^31 sines per output element: hours, where the measurer allows a second.
      Halide::RDom r(0, std::numeric_limits<int32_t>::max());
      out(x) = Halide::sum(Halide::sin(input(x) + Halide::cast<float>(r)));
    } else {
      // An intermediate of 61,441 x 6,000 floats (x in [0, 15 * 4096], y in [0, 5999]):
      // 1.37 GiB, which a kernel process limited to 1 GiB cannot allocate.
      Halide::Func big("big");
      big(x, y) = input(x % kLength) + Halide::cast<float>(y);
      big.compute_root();
      out(x) = big(x, 0) + big(x * 4096, 5999);
      // Built as every template's kernels are (KernelTarget, whose code does not check the
      // allocation: the kernels' allocator does).
      return CompileKernel(Halide::Pipeline(out), Halide::Buffer<float>(kLength), {});
    }
    Halide::Pipeline pipeline(out);
    try {
      pipeline.compile_jit(target);
    } catch (const Halide::Error& error) {
      throw KernelBuildError(error.what());
    }
    return std::make_unique<TargetKernel>(std::move(pipeline), target, input);
  }
  std::unique_ptr<Kernel> BuildLayer(const Config&, const LayerBinding&) const override {
    throw KernelBuildError("the faulty template measures only");
  }

 private:
  // Runs the pipeline for the target it was compiled for (HalideKernel would recompile it for
  // the host target, assertions included).
  class TargetKernel : public Kernel {
   public:
    TargetKernel(Halide::Pipeline pipeline, Halide::Target target, Halide::Buffer<float> input)
        : pipeline_(std::move(pipeline)), target_(target), input_(input), output_(kLength) {}
    void Run() override {
      try {
        pipeline_.realize(output_, target_);
      } catch (const Halide::Error& error) {
        throw KernelRunError(error.what());
      }
    }
    std::span<const float> Output() const override {
      return {output_.data(), static_cast<size_t>(output_.number_of_elements())};
    }

   private:
    Halide::Pipeline pipeline_;
    Halide::Target target_;
    Halide::Buffer<float> input_;
    Halide::Buffer<float> output_;
  };

  Workload workload_;
  Space space_;
};

LocalMeasurerOptions FaultOptions() {
  LocalMeasurerOptions options;
  options.timeout_s = 1;
  options.min_repeat_ms = 1;
  options.warmup_ms = 1;
  options.memory_limit = uint64_t{1} << 30;
  options.build_jobs = 2;
  return options;
}

TEST(FaultyKernels, EachRealFaultIsRecordedWithItsStatus) {
  FaultyHalideTemplate faulty;
  LocalMeasurer measurer(faulty, FaultOptions());
  const std::vector<Evaluation> results = measurer.Measure({{1}, {2}, {3}, {0}});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].status, EvalStatus::kCrash) << results[0].error;
  EXPECT_NE(results[0].error.find("signal 11"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[1].status, EvalStatus::kTimeout) << results[1].error;
  // Under AddressSanitizer no address-space limit can be set, and the allocation succeeds.
  if (AddressSpaceCanBeLimited()) {
    EXPECT_EQ(results[2].status, EvalStatus::kOutOfMemory) << results[2].error;
    EXPECT_NE(results[2].error.find("could not allocate"), std::string::npos) << results[2].error;
  }
  // After all that, a good kernel is still measured.
  EXPECT_EQ(results[3].status, EvalStatus::kOk) << results[3].error;
}

// Outside the measurer (`tessel run`), a kernel's failed allocation ends the process with one
// line, where code compiled without Halide's checks would write through a null pointer.
TEST(FaultyKernelsDeathTest, AFailedAllocationInProcessSaysSoAndAborts) {
  if (!AddressSpaceCanBeLimited()) GTEST_SKIP() << "no address-space limit under AddressSanitizer";
  FaultyHalideTemplate faulty;
  Rng rng(1);
  const OperatorData data = faulty.RandomData(rng);
  const std::unique_ptr<Kernel> kernel = faulty.Build({3}, data);
  EXPECT_DEATH(
      {
        LimitAddressSpaceGrowth(uint64_t{256} << 20);
        kernel->Run();
      },
      "tessel: a kernel could not allocate [0-9]+ bytes: out of memory");
}

TEST(FaultyKernels, TuningGoesOnAndNoFaultBecomesTheBest) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tessel_faults_" + std::to_string(getpid()) + ".db"))
                               .string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    RecordStore store(path);
    std::vector<TuningTask> tasks;
    tasks.push_back({"faulty", 1, 0,
                     std::make_unique<ScheduleProblem>(std::make_unique<FaultyHalideTemplate>(),
                                                       FaultOptions(), FeatureKind::kKnob)});
    TuningOptions options;
    options.trials = 4;  // the whole space
    options.batch_size = 4;
    options.progress = false;
    options.evaluate_default = false;
    options.strategy_name = "random";
    options.strategy = [](const StrategyInputs& inputs) {
      return MakeStrategy(FindPreset("random"), {inputs.problem.space(), &inputs.featurizer}, {},
                          inputs.rng);
    };
    TuningCallbacks quiet;
    quiet.log = [](const std::string&) {};
    const TaskReport report = Tune(tasks, &store, options, quiet).tasks[0];
    EXPECT_EQ(report.evaluations, 4);
    ASSERT_TRUE(report.best.has_value());
    EXPECT_EQ(tasks[0].problem->space().ToText(*report.best), "kernel=ok");

    std::multiset<std::string> statuses;
    for (const MeasurementRecord& record : store.History(report.task_id))
      statuses.insert(std::string(EvalStatusName(record.result.status)));
    if (AddressSpaceCanBeLimited()) {
      EXPECT_EQ(statuses, (std::multiset<std::string>{"crash", "ok", "out_of_memory", "timeout"}));
    } else {
      // Without a limit (AddressSanitizer) the big allocation succeeds, and computing it under
      // the instrumentation may outlast the one-second time limit.
      EXPECT_EQ(statuses.count("crash"), 1u);
      EXPECT_GE(statuses.count("timeout"), 1u);
    }
    const std::vector<BestRecord> best = store.BestPerTask();
    ASSERT_EQ(best.size(), 1u);
    EXPECT_EQ(best[0].record.config, "kernel=ok");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace tessel
