#include "problems/schedule/halide_kernel.h"

namespace tessel {

// Detected once: the kernel's timed Run() must not repeat the CPU feature queries.
Halide::Target HostTarget() {
  static const Halide::Target target = Halide::get_host_target();
  return target;
}

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

HalideTemplate::HalideTemplate(Workload workload, Space space, size_t input_size,
                               size_t weights_size)
    : workload_(std::move(workload)),
      space_(std::move(space)),
      input_size_(input_size),
      weights_size_(weights_size) {}

OperatorData HalideTemplate::RandomData(Rng& rng) const {
  OperatorData data;
  data.input.resize(input_size_);
  data.weights.resize(weights_size_);
  for (float& v : data.input) v = static_cast<float>(rng.UniformReal() * 2 - 1);
  for (float& v : data.weights) v = static_cast<float>(rng.UniformReal() * 2 - 1);
  return data;
}

Config HalideTemplate::DefaultConfig() const {
  for (const std::string& text : DefaultCandidates()) {
    Config config = space_.FromText(text);
    if (space_.IsValid(config)) return config;
  }
  Rng rng(0);
  auto config = space_.SampleValid(rng);
  if (!config)
    throw ConfigError("the " + name() + " template has no valid schedule for " +
                      WorkloadSpec(workload_) +
                      " (its vectors need 4, 8 or 16 lanes of an output dimension)");
  return *config;
}

std::unique_ptr<Kernel> HalideTemplate::Build(const Config& config,
                                              const OperatorData& data) const {
  TESSEL_CHECK(data.input.size() == input_size_ && data.weights.size() == weights_size_)
      << "operator data of the wrong size";
  LayerBinding layer;
  layer.input = data.input.data();
  layer.weights = data.weights.data();
  return BuildLayer(config, layer);
}

std::unique_ptr<Kernel> HalideTemplate::BuildLayer(const Config& config,
                                                   const LayerBinding& layer) const {
  TESSEL_CHECK(space_.IsValid(config)) << "building an invalid configuration";
  TESSEL_CHECK(layer.input && layer.weights) << "a layer without input or weights";
  try {
    return BuildPipeline(config, layer);
  } catch (const Halide::Error& error) {
    throw KernelBuildError(error.what());
  }
}

Halide::Buffer<float> WrapBuffer(const float* data, const std::vector<int>& extents) {
  return Halide::Buffer<float>(const_cast<float*>(data), extents);
}

Halide::Expr LayerEpilogue(Halide::Expr value, const LayerBinding& layer,
                           const std::vector<Halide::Var>& at, const Halide::Var& channel,
                           const std::vector<int>& extents, int channels) {
  if (layer.bias) {
    Halide::ImageParam bias(Halide::Float(32), 1, "bias");
    SetDenseShape(bias, {channels});
    bias.set(WrapBuffer(layer.bias, {channels}));
    value += bias(channel);
  }
  if (layer.residual) {
    Halide::ImageParam residual(Halide::Float(32), static_cast<int>(at.size()), "residual");
    SetDenseShape(residual, extents);
    residual.set(WrapBuffer(layer.residual, extents));
    std::vector<Halide::Expr> coords(at.begin(), at.end());
    value += residual(coords);
  }
  if (layer.relu) value = Halide::max(value, 0.f);
  return value;
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
