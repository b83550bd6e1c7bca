#include "network/network_executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "network/memory_plan.h"
#include "network/pool_kernels.h"

namespace tessel {
namespace {

// A light operation written as plain loops.
class LoopKernel : public Kernel {
 public:
  LoopKernel(std::function<void()> body, std::span<const float> output)
      : body_(std::move(body)), output_(output) {}
  void Run() override { body_(); }
  std::span<const float> Output() const override { return output_; }

 private:
  std::function<void()> body_;
  std::span<const float> output_;
};

Nchw AsNchw(const Shape& shape) { return {shape[0], shape[1], shape[2], shape[3]}; }

std::string EpilogueSuffix(const Node& node) {
  return std::string(node.residual >= 0 ? "+add" : "") + (node.relu ? "+relu" : "");
}

}  // namespace

NetworkExecutor::NetworkExecutor(Graph graph, const ConfigChooser& choose)
    : graph_(std::move(graph)) {
  PlanBuffers();
  BuildLayers(choose);
}

NetworkExecutor::~NetworkExecutor() = default;

void NetworkExecutor::PlanBuffers() {
  const MemoryPlan plan = PlanMemory(graph_);
  buffers_.clear();
  for (int64_t size : plan.buffer_sizes) buffers_.emplace_back(size, 0.f);
  data_.assign(graph_.nodes.size(), nullptr);
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const MemoryPlan::Place& place = plan.places[i];
    data_[i] = buffers_[place.buffer].data() + place.offset;
  }
}

void NetworkExecutor::BuildLayers(const ConfigChooser& choose) {
  for (size_t i = 1; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    if (node.op == OpKind::kFlatten) continue;
    LayerReport report;
    report.node = static_cast<int>(i);
    report.name = node.name;
    report.op = std::string(OpKindName(node.op)) + EpilogueSuffix(node);
    const float* in = data_[node.inputs.front()];
    float* out = data_[i];
    const int64_t size = ElementCount(node.shape);
    const std::span<const float> out_span(out, static_cast<size_t>(size));
    std::unique_ptr<Kernel> kernel;
    switch (node.op) {
      case OpKind::kInput:
        TESSEL_CHECK(false) << "a second input node";
        break;
      case OpKind::kConv2d:
      case OpKind::kDense: {
        const Workload workload =
            node.op == OpKind::kConv2d ? Workload(node.conv) : Workload(node.dense);
        const std::unique_ptr<OperatorTemplate> tmpl = MakeOperatorTemplate(workload);
        const std::optional<Config> chosen = choose(*tmpl);
        report.workload = WorkloadSpec(workload);
        report.tuned = chosen.has_value();
        // Every workload has a default schedule: the templates pad the vectorised channels.
        const Config config = chosen ? *chosen : tmpl->DefaultConfig();
        report.config = tmpl->space().ToText(config);
        if (!tmpl->space().IsValid(config))
          throw ConfigError("layer " + node.name + ": configuration " + report.config +
                            " is not valid for " + report.workload);
        LayerBinding layer;
        layer.input = in;
        layer.weights = node.weights.data();
        layer.bias = node.bias.empty() ? nullptr : node.bias.data();
        layer.residual = node.residual >= 0 ? data_[node.residual] : nullptr;
        layer.relu = node.relu;
        layer.output = out;
        try {
          kernel = tmpl->BuildLayer(config, layer);
        } catch (const KernelBuildError& error) {
          std::string message = error.what();
          std::replace(message.begin(), message.end(), '\n', ' ');
          throw Error(ErrorKind::kBackend, "layer " + node.name + ": configuration " +
                                               report.config + " does not compile: " + message);
        }
        break;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool: {
        const PoolKind kind = node.op == OpKind::kMaxPool   ? PoolKind::kMax
                              : node.pool.count_include_pad ? PoolKind::kAverageCountingPad
                                                            : PoolKind::kAverage;
        const PoolWindow window{node.pool.kernel, node.pool.stride, node.pool.pad};
        kernel = BuildPoolKernel(kind, window, in, AsNchw(graph_.nodes[node.inputs[0]].shape), out,
                                 AsNchw(node.shape), node.layout);
        break;
      }
      case OpKind::kGlobalAvgPool:
        kernel = BuildGlobalAvgPoolKernel(in, AsNchw(graph_.nodes[node.inputs[0]].shape), out,
                                          node.layout);
        break;
      case OpKind::kLayoutTransform:
        kernel = BuildLayoutTransformKernel(in, AsNchw(node.shape),
                                            graph_.nodes[node.inputs[0]].layout, out, node.layout);
        break;
      case OpKind::kBatchNorm: {
        // The channel of element j: NCHW runs over planes, NHWC over a pixel's channels.
        const int64_t channels = node.shape[1];
        const int64_t plane =
            node.layout == TensorLayout::kNhwc ? 1 : node.shape[2] * node.shape[3];
        std::vector<float> gain(channels), offset(channels);
        for (int64_t c = 0; c < channels; ++c) {
          gain[c] =
              static_cast<float>(node.scale[c] / std::sqrt(double(node.var[c]) + node.epsilon));
          offset[c] = node.shift[c] - node.mean[c] * gain[c];
        }
        kernel = std::make_unique<LoopKernel>(
            [=] {
              for (int64_t j = 0; j < size; ++j) {
                const int64_t c = (j / plane) % channels;
                out[j] = in[j] * gain[c] + offset[c];
              }
            },
            out_span);
        break;
      }
      case OpKind::kRelu:
        kernel = std::make_unique<LoopKernel>(
            [=] {
              for (int64_t j = 0; j < size; ++j) out[j] = std::max(in[j], 0.f);
            },
            out_span);
        break;
      case OpKind::kAdd: {
        const float* other = data_[node.inputs[1]];
        const bool relu = node.relu;
        kernel = std::make_unique<LoopKernel>(
            [=] {
              for (int64_t j = 0; j < size; ++j) {
                const float sum = in[j] + other[j];
                out[j] = relu ? std::max(sum, 0.f) : sum;
              }
            },
            out_span);
        break;
      }
      case OpKind::kConcat: {
        // Copies the inputs that did not write into their slice: NCHW concatenates each
        // image's tensors, NHWC each pixel's channels.
        const bool nhwc = node.layout == TensorLayout::kNhwc;
        const int64_t pixels = nhwc ? node.shape[2] * node.shape[3] : 1;
        std::vector<std::pair<const float*, int64_t>> parts;
        for (int input : node.inputs)
          parts.push_back(
              {data_[input], ElementCount(graph_.nodes[input].shape) / (node.shape[0] * pixels)});
        const int64_t batch = node.shape[0] * pixels;
        kernel = std::make_unique<LoopKernel>(
            [=] {
              float* dst = out;
              for (int64_t n = 0; n < batch; ++n)
                for (const auto& [src, part] : parts) {
                  const float* from = src + n * part;
                  if (from != dst) std::memcpy(dst, from, part * sizeof(float));
                  dst += part;
                }
            },
            out_span);
        break;
      }
      case OpKind::kSoftmax: {
        const int64_t rows = node.shape[0], width = node.shape[1];
        kernel = std::make_unique<LoopKernel>(
            [=] {
              for (int64_t n = 0; n < rows; ++n) {
                const float* row = in + n * width;
                const float top = *std::max_element(row, row + width);
                double sum = 0;
                for (int64_t j = 0; j < width; ++j) sum += std::exp(double(row[j]) - top);
                for (int64_t j = 0; j < width; ++j)
                  out[n * width + j] = static_cast<float>(std::exp(double(row[j]) - top) / sum);
              }
            },
            out_span);
        break;
      }
      case OpKind::kFlatten:
        break;
    }
    if (kernel) report.parallel = kernel->SetSingleThreaded(false);
    layers_.push_back(std::move(report));
    kernels_.push_back(std::move(kernel));
  }
}

void NetworkExecutor::RunLayer(size_t layer) {
  TESSEL_CHECK(layer < kernels_.size()) << "layer " << layer << " of " << kernels_.size();
  try {
    kernels_[layer]->Run();
  } catch (const KernelRunError& error) {
    throw Error(ErrorKind::kBackend, "layer " + layers_[layer].name + " failed: " + error.what());
  }
}

bool NetworkExecutor::SetSingleThreaded(size_t layer, bool single) {
  TESSEL_CHECK(layer < kernels_.size()) << "layer " << layer << " of " << kernels_.size();
  if (!kernels_[layer]->SetSingleThreaded(single)) return false;
  layers_[layer].single_threaded = single;
  return true;
}

std::span<const float> NetworkExecutor::Run(const std::vector<float>& input,
                                            std::vector<double>* layer_ms) {
  const int64_t expected = ElementCount(graph_.input().shape);
  if (static_cast<int64_t>(input.size()) != expected)
    throw ConfigError("the input has " + std::to_string(input.size()) + " values; the network " +
                      graph_.name + " takes " + ShapeText(graph_.input().shape));
  std::copy(input.begin(), input.end(), data_[0]);
  if (layer_ms) layer_ms->assign(kernels_.size(), 0);
  for (size_t i = 0; i < kernels_.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    RunLayer(i);
    if (layer_ms)
      (*layer_ms)[i] =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
  }
  return {data_[graph_.output],
          static_cast<size_t>(ElementCount(graph_.nodes[graph_.output].shape))};
}

}  // namespace tessel
