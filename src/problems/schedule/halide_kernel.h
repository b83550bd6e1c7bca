// Shared by the Halide templates (and only by them): a compiled pipeline bound to its
// buffers, and the host target they compile for.
#pragma once

#include <Halide.h>

#include <span>
#include <string>
#include <vector>

#include "problems/schedule/kernel_allocator.h"
#include "problems/schedule/operator_template.h"

namespace tessel {

// The host with every ISA feature it has: what records are keyed by (target.h).
Halide::Target HostTarget();

// What kernels are compiled for: HostTarget without Halide's runtime checks. Those check, at a
// pipeline's entry, each buffer's type, dimensions, shape and bounds, which every template's
// buffers have by construction (SetDenseShape fixes them at compile time), and after each heap
// allocation that it succeeded. They never fire, yet compiling them takes about 30% of a
// kernel's compile time (bench/measure_cost). The allocation check is replaced by the
// kernels' allocator, which calls the allocation failure handler instead. With the environment
// variable TESSEL_KERNEL_CHECKS=1, HostTarget itself: the checks are back, for debugging a
// template (and for measuring what they cost).
Halide::Target KernelTarget();

class HalideKernel : public Kernel {
 public:
  // `owned` keeps buffers (packed weights) alive; the image parameters are already bound.
  HalideKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
               std::vector<Halide::Buffer<float>> owned);

  void Run() override;
  std::span<const float> Output() const override;
  // Single-threaded, each parallel loop runs its iterations in order on the calling thread:
  // the same compiled code, without waking the pool (for layers too small to share).
  bool SetSingleThreaded(bool single) override;
  void EvictOwnBuffers() override;

 private:
  Halide::Pipeline pipeline_;
  bool single_threaded_ = false;
  Halide::Buffer<float> output_;
  std::vector<Halide::Buffer<float>> owned_;
};

// Where the last CompileKernel on this thread spent its time, when build phases are timed:
// Halide's lowering (scheduling, bounds inference, simplification, to a loop nest) and the
// whole JIT compile (lowering again, then LLVM's optimisation, code generation and linking).
struct BuildPhases {
  double lower_ms = 0;
  double jit_ms = 0;
  std::string lowered_text;  // the lowered module, printed: equal texts compile to equal code
};
// For benchmarks and tests: when on, CompileKernel lowers each pipeline once on its own before
// compiling it, so that lowering can be told apart from LLVM's share (jit_ms - lower_ms) and
// the lowered code compared. Off by default, since it costs a second lowering.
void SetTimeBuildPhases(bool on);
BuildPhases LastBuildPhases();

// Compiles the pipeline for the host, turning Halide's errors into KernelBuildError.
std::unique_ptr<Kernel> CompileKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
                                      std::vector<Halide::Buffer<float>> owned);

// Fixes a buffer parameter's extents and dense strides at compile time, so that address
// arithmetic and tile tails are resolved by the compiler. Extents are innermost first.
void SetDenseShape(Halide::OutputImageParam param, const std::vector<int>& extents);

// What the Halide templates share: the workload and space they were made for, random data of
// their sizes, the default configuration's fallback, and Halide's errors as KernelBuildError.
class HalideTemplate : public OperatorTemplate {
 public:
  HalideTemplate(Workload workload, Space space, size_t input_size, size_t weights_size);

  const Workload& workload() const override { return workload_; }
  const Space& space() const override { return space_; }
  OperatorData RandomData(Rng& rng) const override;
  // The first valid of DefaultCandidates(), else a seeded sample of the space.
  Config DefaultConfig() const override;
  std::unique_ptr<Kernel> Build(const Config& config, const OperatorData& data) const override;
  std::unique_ptr<Kernel> BuildLayer(const Config& config,
                                     const LayerBinding& layer) const override;

 protected:
  // Canonical texts of hand-written schedules, in order of preference.
  virtual std::vector<std::string> DefaultCandidates() const = 0;
  // Builds a valid configuration; may throw Halide::Error.
  virtual std::unique_ptr<Kernel> BuildPipeline(const Config& config,
                                                const LayerBinding& layer) const = 0;

  Workload workload_;
  Space space_;

 private:
  size_t input_size_;
  size_t weights_size_;
};

// A read-only buffer over memory the caller keeps alive (extents innermost first).
Halide::Buffer<float> WrapBuffer(const float* data, const std::vector<int>& extents);

// Activations: extents innermost first in NCHW order ({W, H, C, N}, or {P, C, N} with the plane
// flattened), the channel dimension second from last. Their strides: dense in that order for
// NCHW; for NHWC the channel dimension is innermost, then the others in order.
std::vector<int> ActivationStrides(const std::vector<int>& extents, TensorLayout layout);
// SetDenseShape for an activation stored in `layout`.
void SetActivationShape(Halide::OutputImageParam param, const std::vector<int>& extents,
                        TensorLayout layout);
// A buffer over an activation stored in `layout` at `data`, which the caller keeps alive.
Halide::Buffer<float> WrapActivation(const float* data, const std::vector<int>& extents,
                                     TensorLayout layout);
// A kernel's output: WrapActivation over `data`, or with `data` null over memory of its own,
// kept in `owned`.
Halide::Buffer<float> ActivationBuffer(float* data, const std::vector<int>& extents,
                                       TensorLayout layout,
                                       std::vector<Halide::Buffer<float>>& owned);

// The W x H input (dimensions x, y, c, n) with a zero border of `pad` pixels, clamped reads
// selected away.
Halide::Func ZeroPadded(const Halide::ImageParam& input, int W, int H, int pad);
// Computes `padded` (dimensions x, y, c, n) once, before its readers, stored channels
// innermost, rows in parallel and `lanes` channels a vector: an NHWC input's padded copy.
void ComputeRootChannelsLast(Halide::Func padded, int lanes);

// A buffer of `extents` (innermost first) holding a copy of `used` dense floats from `data`,
// then zeros: weights whose outermost dimension is padded (PaddedToNarrowestVector).
Halide::Buffer<float> ZeroPaddedCopy(const float* data, size_t used,
                                     const std::vector<int>& extents);

// The layer's epilogue applied to `value` at output coordinates `at` (innermost first;
// `channel` is the output-channel coordinate): + bias(channel), + residual(at), then ReLU.
// Binds the bias and residual parameters to the layer's buffers; the residual is an activation
// of the output's extents, stored in `layout`.
Halide::Expr LayerEpilogue(Halide::Expr value, const LayerBinding& layer,
                           const std::vector<Halide::Var>& at, const Halide::Var& channel,
                           const std::vector<int>& extents, int channels,
                           TensorLayout layout = TensorLayout::kNchw);

// Loops of extent `extents[i]` unrolled from the innermost outwards while the product of the
// unrolled extents stays within `budget` (TVM's auto_unroll_max_step).
std::vector<bool> AutoUnroll(const std::vector<int64_t>& extents, int64_t budget);

// Canonical values of the shared unroll knobs (template_knobs.h) for reduction loops of these
// extents: what matters is which loops are unrolled, so the step becomes the smallest that
// unrolls the same ones, and a configuration that unrolls nothing becomes unroll_explicit=0
// with the first step.
void CanonicalUnroll(const Space& space, size_t auto_unroll_knob, size_t unroll_explicit_knob,
                     const std::vector<int64_t>& extents, Config& config);

// A 2-level split of a reduction that neither the unroll knobs nor the loop order tell apart
// when one factor is 1: [n, 1] is the loop [1, n] is. Sets the knob to [1, n] in that case.
void CanonicalSplitOfOneLoop(const Space& space, size_t split_knob, Config& config);

}  // namespace tessel
