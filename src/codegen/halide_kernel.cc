#include "codegen/halide_kernel.h"

namespace tessel {

Halide::Target HostTarget() { return Halide::get_host_target(); }

std::string HostTargetString() { return HostTarget().to_string(); }

HalideKernel::HalideKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
                           std::vector<Halide::Buffer<float>> owned)
    : pipeline_(std::move(pipeline)), output_(std::move(output)), owned_(std::move(owned)) {}

void HalideKernel::Run() {
  try {
    pipeline_.realize(output_, HostTarget());
  } catch (const Halide::Error& error) {
    throw KernelRunError(error.what());
  }
}

std::span<const float> HalideKernel::Output() const {
  return {output_.data(), static_cast<size_t>(output_.number_of_elements())};
}

std::unique_ptr<Kernel> CompileKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
                                      std::vector<Halide::Buffer<float>> owned) {
  try {
    pipeline.compile_jit(HostTarget());
  } catch (const Halide::Error& error) {
    throw KernelBuildError(error.what());
  }
  return std::make_unique<HalideKernel>(std::move(pipeline), std::move(output), std::move(owned));
}

void SetDenseShape(Halide::OutputImageParam param, const std::vector<int>& extents) {
  int stride = 1;
  for (size_t d = 0; d < extents.size(); ++d) {
    param.dim(static_cast<int>(d)).set_bounds(0, extents[d]).set_stride(stride);
    stride *= extents[d];
  }
}

std::vector<bool> AutoUnroll(const std::vector<int64_t>& extents, int64_t budget) {
  std::vector<bool> unroll(extents.size(), false);
  int64_t product = 1;
  for (size_t i = 0; i < extents.size(); ++i) {
    if (extents[i] == 1) continue;
    if (product * extents[i] > budget) break;
    product *= extents[i];
    unroll[i] = true;
  }
  return unroll;
}

}  // namespace tessel
