// Shared by the Halide templates (and only by them): a compiled pipeline bound to its
// buffers, and the host target they compile for.
#pragma once

#include <Halide.h>

#include <span>
#include <string>
#include <vector>

#include "codegen/operator_template.h"

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

// Loops of extent `extents[i]` unrolled from the innermost outwards while the product of the
// unrolled extents stays within `budget` (TVM's auto_unroll_max_step).
std::vector<bool> AutoUnroll(const std::vector<int64_t>& extents, int64_t budget);

}  // namespace tessel
