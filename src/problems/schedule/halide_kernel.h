// Shared by the Halide templates (and only by them): a compiled pipeline bound to its
// buffers, and the host target they compile for.
#pragma once

#include <Halide.h>

#include <span>
#include <string>
#include <vector>

#include "problems/schedule/operator_template.h"

namespace tessel {

// The JIT target: the host with every ISA feature it has; no runtime assertions are stripped.
Halide::Target HostTarget();

class HalideKernel : public Kernel {
 public:
  // `owned` keeps buffers (packed weights) alive; the image parameters are already bound.
  HalideKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
               std::vector<Halide::Buffer<float>> owned);

  void Run() override;
  std::span<const float> Output() const override;

 private:
  Halide::Pipeline pipeline_;
  Halide::Buffer<float> output_;
  std::vector<Halide::Buffer<float>> owned_;
};

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

// The layer's epilogue applied to `value` at output coordinates `at` (innermost first;
// `channel` is the output-channel coordinate): + bias(channel), + residual(at), then ReLU.
// Binds the bias and residual parameters to the layer's buffers.
Halide::Expr LayerEpilogue(Halide::Expr value, const LayerBinding& layer,
                           const std::vector<Halide::Var>& at, const Halide::Var& channel,
                           const std::vector<int>& extents, int channels);

// Loops of extent `extents[i]` unrolled from the innermost outwards while the product of the
// unrolled extents stays within `budget` (TVM's auto_unroll_max_step).
std::vector<bool> AutoUnroll(const std::vector<int64_t>& extents, int64_t budget);

}  // namespace tessel
