#include "problems/schedule/halide_kernel.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "core/cache_flush.h"

namespace tessel {

// Detected once: the kernel's timed Run() must not repeat the CPU feature queries.
Halide::Target HostTarget() {
  static const Halide::Target target = Halide::get_host_target();
  return target;
}

Halide::Target KernelTarget() {
  static const Halide::Target target = [] {
    const char* checks = std::getenv("TESSEL_KERNEL_CHECKS");
    if (checks && std::string_view(checks) == "1") return HostTarget();
    return HostTarget().with_feature(Halide::Target::NoAsserts);
  }();
  return target;
}

std::string HostTargetString() { return HostTarget().to_string(); }

namespace {

// Halide's parallel loop launcher, without the threads: a nested parallel loop calls it again
// with the same context, so a whole pipeline stays on the calling thread.
int SerialParFor(Halide::JITUserContext* context,
                 int (*task)(Halide::JITUserContext*, int, uint8_t*), int min, int extent,
                 uint8_t* closure) {
  for (int i = min; i < min + extent; ++i) {
    const int status = task(context, i, closure);
    if (status != 0) return status;
  }
  return 0;
}

}  // namespace

HalideKernel::HalideKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
                           std::vector<Halide::Buffer<float>> owned)
    : pipeline_(std::move(pipeline)), output_(std::move(output)), owned_(std::move(owned)) {}

void HalideKernel::Run() {
  try {
    // A fresh context each run: Halide fills in the handlers left empty (its error buffer's
    // among them) for the call, and would take a filled-in error handler for the caller's own.
    Halide::JITUserContext context;
    if (single_threaded_) context.handlers.custom_do_par_for = SerialParFor;
    pipeline_.realize(&context, output_, KernelTarget());
  } catch (const Halide::Error& error) {
    throw KernelRunError(error.what());
  }
}

bool HalideKernel::SetSingleThreaded(bool single) {
  single_threaded_ = single;
  return true;
}

void HalideKernel::EvictOwnBuffers() {
  for (const Halide::Buffer<float>& buffer : owned_)
    if (buffer.data() != output_.data()) EvictFromCaches(buffer.data(), buffer.size_in_bytes());
}

std::span<const float> HalideKernel::Output() const {
  return {output_.data(), static_cast<size_t>(output_.number_of_elements())};
}

namespace {
std::atomic<bool> time_build_phases{false};
thread_local BuildPhases last_build_phases;

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}
}  // namespace

void SetTimeBuildPhases(bool on) { time_build_phases = on; }
BuildPhases LastBuildPhases() { return last_build_phases; }

std::unique_ptr<Kernel> CompileKernel(Halide::Pipeline pipeline, Halide::Buffer<float> output,
                                      std::vector<Halide::Buffer<float>> owned) {
  try {
    if (time_build_phases) {
      const auto lower_start = std::chrono::steady_clock::now();
      const Halide::Module lowered =
          pipeline.compile_to_module(pipeline.infer_arguments(), "lowered", KernelTarget());
      last_build_phases.lower_ms = MsSince(lower_start);
      std::ostringstream text;
      text << lowered;
      last_build_phases.lowered_text = text.str();
    }
    pipeline.jit_handlers().custom_malloc = KernelMalloc;
    pipeline.jit_handlers().custom_free = KernelFree;
    const auto jit_start = std::chrono::steady_clock::now();
    pipeline.compile_jit(KernelTarget());
    last_build_phases.jit_ms = MsSince(jit_start);
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

Halide::Buffer<float> ZeroPaddedCopy(const float* data, size_t used,
                                     const std::vector<int>& extents) {
  Halide::Buffer<float> padded(extents);
  TESSEL_CHECK(used <= static_cast<size_t>(padded.number_of_elements()))
      << "more data than the padded buffer holds";
  padded.fill(0.f);
  std::copy(data, data + used, padded.data());
  return padded;
}

std::vector<int> ActivationStrides(const std::vector<int>& extents, TensorLayout layout) {
  std::vector<int> strides(extents.size());
  int stride = 1;
  if (layout == TensorLayout::kNchw) {
    for (size_t d = 0; d < extents.size(); ++d) {
      strides[d] = stride;
      stride *= extents[d];
    }
    return strides;
  }
  TESSEL_CHECK(extents.size() >= 2) << "an activation without channels";
  const size_t channel = extents.size() - 2;
  strides[channel] = 1;
  stride = extents[channel];
  for (size_t d = 0; d < extents.size(); ++d) {
    if (d == channel) continue;
    strides[d] = stride;
    stride *= extents[d];
  }
  return strides;
}

void SetActivationShape(Halide::OutputImageParam param, const std::vector<int>& extents,
                        TensorLayout layout) {
  const std::vector<int> strides = ActivationStrides(extents, layout);
  for (size_t d = 0; d < extents.size(); ++d)
    param.dim(static_cast<int>(d)).set_bounds(0, extents[d]).set_stride(strides[d]);
}

Halide::Buffer<float> WrapActivation(const float* data, const std::vector<int>& extents,
                                     TensorLayout layout) {
  const std::vector<int> strides = ActivationStrides(extents, layout);
  std::vector<halide_dimension_t> dims(extents.size());
  for (size_t d = 0; d < extents.size(); ++d) dims[d] = {0, extents[d], strides[d], 0};
  return Halide::Buffer<float>(const_cast<float*>(data), static_cast<int>(dims.size()),
                               dims.data());
}

Halide::Buffer<float> ActivationBuffer(float* data, const std::vector<int>& extents,
                                       TensorLayout layout,
                                       std::vector<Halide::Buffer<float>>& owned) {
  if (!data) {
    int elements = 1;
    for (int extent : extents) elements *= extent;
    owned.emplace_back(elements);
    data = owned.back().data();
  }
  return WrapActivation(data, extents, layout);
}

Halide::Func ZeroPadded(const Halide::ImageParam& input, int W, int H, int pad) {
  Halide::Var x("x"), y("y"), c("c"), n("n");
  Halide::Func padded("padded");
  if (pad == 0) {
    padded(x, y, c, n) = input(x, y, c, n);
    return padded;
  }
  Halide::Expr ix = x - pad, iy = y - pad;
  padded(x, y, c, n) =
      Halide::select(ix >= 0 && ix < W && iy >= 0 && iy < H,
                     input(Halide::clamp(ix, 0, W - 1), Halide::clamp(iy, 0, H - 1), c, n), 0.f);
  return padded;
}

void ComputeRootChannelsLast(Halide::Func padded, int lanes) {
  const std::vector<Halide::Var> args = padded.args();  // x, y, c, n
  padded.compute_root()
      .reorder_storage(args[2], args[0], args[1], args[3])
      .reorder(args[2], args[0], args[1], args[3])
      .parallel(args[1])
      .vectorize(args[2], lanes, Halide::TailStrategy::GuardWithIf);
}

Halide::Expr LayerEpilogue(Halide::Expr value, const LayerBinding& layer,
                           const std::vector<Halide::Var>& at, const Halide::Var& channel,
                           const std::vector<int>& extents, int channels, TensorLayout layout) {
  if (layer.bias) {
    Halide::ImageParam bias(Halide::Float(32), 1, "bias");
    SetDenseShape(bias, {channels});
    bias.set(WrapBuffer(layer.bias, {channels}));
    value += bias(channel);
  }
  if (layer.residual) {
    Halide::ImageParam residual(Halide::Float(32), static_cast<int>(at.size()), "residual");
    SetActivationShape(residual, extents, layout);
    residual.set(WrapActivation(layer.residual, extents, layout));
    std::vector<Halide::Expr> coords(at.begin(), at.end());
    value += residual(coords);
  }
  if (layer.relu) value = Halide::max(value, 0.f);
  return value;
}

void SetDenseShape(Halide::OutputImageParam param, const std::vector<int>& extents) {
  SetActivationShape(param, extents, TensorLayout::kNchw);  // NCHW's strides are dense
}

void CanonicalUnroll(const Space& space, size_t auto_unroll_knob, size_t unroll_explicit_knob,
                     const std::vector<int64_t>& extents, Config& config) {
  const bool explicit_unroll = std::get<int64_t>(space.Value(config, unroll_explicit_knob)) != 0;
  const std::vector<bool> unrolled =
      explicit_unroll
          ? AutoUnroll(extents, std::get<int64_t>(space.Value(config, auto_unroll_knob)))
          : std::vector<bool>(extents.size(), false);
  const std::vector<KnobValue>& steps = space.knobs()[auto_unroll_knob].values;
  if (std::find(unrolled.begin(), unrolled.end(), true) == unrolled.end()) {
    config[unroll_explicit_knob] = space.ValueIndex(unroll_explicit_knob, int64_t{0});
    config[auto_unroll_knob] = 0;
    return;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    if (AutoUnroll(extents, std::get<int64_t>(steps[i])) == unrolled) {
      config[auto_unroll_knob] = static_cast<int32_t>(i);
      return;
    }
  }
}

void CanonicalSplitOfOneLoop(const Space& space, size_t split_knob, Config& config) {
  const Factors& factors = std::get<Factors>(space.Value(config, split_knob));
  if (factors.size() == 2 && factors[1] == 1 && factors[0] != 1)
    config[split_knob] = space.ValueIndex(split_knob, Factors{1, factors[0]});
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
