// HalideKernel's switch between the thread pool and the calling thread, observed from inside
// a parallel loop: each iteration calls back into the test, which notes its thread.
#include "problems/schedule/halide_kernel.h"

#include <Halide.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace tessel {
namespace {

std::mutex threads_mutex;
std::set<std::thread::id> threads_seen;

// Called by every iteration of the kernel's parallel loop; slow enough that the pool's
// workers take iterations whenever they are allowed to.
extern "C" float NoteThread(float value) {
  {
    std::lock_guard<std::mutex> lock(threads_mutex);
    threads_seen.insert(std::this_thread::get_id());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return value * 2;
}

std::set<std::thread::id> ThreadsOfRun(Kernel& kernel) {
  {
    std::lock_guard<std::mutex> lock(threads_mutex);
    threads_seen.clear();
  }
  kernel.Run();
  std::lock_guard<std::mutex> lock(threads_mutex);
  return threads_seen;
}

TEST(HalideKernelTest, SingleThreadedRunsStayOnTheCallingThread) {
  constexpr int kLength = 32;
  Halide::Var x("x");
  Halide::Func doubled("doubled");
  doubled(x) = Halide::Internal::Call::make(
      Halide::Float(32), "NoteThread", {Halide::cast<float>(x)}, Halide::Internal::Call::Extern);
  doubled.parallel(x);
  Halide::Pipeline pipeline(doubled);
  pipeline.set_jit_externs({{"NoteThread", Halide::JITExtern(NoteThread)}});
  Halide::Buffer<float> output(kLength);
  std::unique_ptr<Kernel> kernel = CompileKernel(pipeline, output, {});

  ASSERT_TRUE(kernel->SetSingleThreaded(true));
  EXPECT_EQ(ThreadsOfRun(*kernel), std::set<std::thread::id>{std::this_thread::get_id()});
  for (int i = 0; i < kLength; ++i) ASSERT_EQ(output(i), 2.f * i);

  ASSERT_TRUE(kernel->SetSingleThreaded(false));
  if (std::thread::hardware_concurrency() > 1) {
    EXPECT_GT(ThreadsOfRun(*kernel).size(), 1u) << "the pool's workers took no iteration";
  }
  for (int i = 0; i < kLength; ++i) ASSERT_EQ(output(i), 2.f * i);

  // And back: the switch holds for every later run, not only the next.
  kernel->SetSingleThreaded(true);
  ThreadsOfRun(*kernel);
  EXPECT_EQ(ThreadsOfRun(*kernel), std::set<std::thread::id>{std::this_thread::get_id()});
}

// Evicting a kernel's own buffers (its packed weights) from the caches loses nothing.
TEST(HalideKernelTest, EvictingItsBuffersKeepsTheOutput) {
  const auto tmpl = MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=16,h=6,w=6,k=24,r=1,s=1"));
  Rng rng(4);
  const OperatorData data = tmpl->RandomData(rng);
  const std::unique_ptr<Kernel> kernel = tmpl->Build(tmpl->DefaultConfig(), data);
  kernel->Run();
  const std::vector<float> first(kernel->Output().begin(), kernel->Output().end());
  kernel->EvictOwnBuffers();
  kernel->Run();
  EXPECT_EQ(std::vector<float>(kernel->Output().begin(), kernel->Output().end()), first);
}

}  // namespace
}  // namespace tessel
