#include "network/reference_executor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "problems/schedule/reference_ops.h"

namespace tessel {
namespace {

using Tensor = std::vector<float>;

// Bias, residual and relu, as the fused kernels apply them after the main operation.
void ApplyEpilogue(const Node& node, const std::vector<Tensor>& values, Tensor& out,
                   int64_t channels, int64_t per_channel) {
  if (!node.bias.empty())
    for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i)
      out[i] += node.bias[(i / per_channel) % channels];
  if (node.residual >= 0) {
    const Tensor& residual = values[node.residual];
    for (size_t i = 0; i < out.size(); ++i) out[i] += residual[i];
  }
  if (node.relu)
    for (float& v : out) v = std::max(v, 0.f);
}

Tensor BatchNorm(const Node& node, const Tensor& input) {
  const int64_t channels = node.shape[1], plane = node.shape[2] * node.shape[3];
  Tensor out(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    const int64_t c = (static_cast<int64_t>(i) / plane) % channels;
    const double gain = node.scale[c] / std::sqrt(double(node.var[c]) + node.epsilon);
    out[i] = static_cast<float>((input[i] - node.mean[c]) * gain + node.shift[c]);
  }
  return out;
}

// Max or average pooling over NCHW planes; padding never wins a max.
Tensor Pool(const Node& node, const Shape& in, const Tensor& input, bool max) {
  const PoolAttrs& p = node.pool;
  const int64_t h = in[2], w = in[3], oh = node.shape[2], ow = node.shape[3];
  Tensor out(ElementCount(node.shape));
  for (int64_t plane = 0; plane < in[0] * in[1]; ++plane) {
    const float* src = &input[plane * h * w];
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        const int64_t y0 = y * p.stride - p.pad, x0 = x * p.stride - p.pad;
        double acc = max ? -std::numeric_limits<double>::infinity() : 0;
        int64_t taps = 0;
        for (int64_t r = y0; r < y0 + p.kernel; ++r)
          for (int64_t q = x0; q < x0 + p.kernel; ++q) {
            // Windows of ceil_mode may reach past the padding: those taps never count.
            const bool in_padding = r >= -p.pad && r < h + p.pad && q >= -p.pad && q < w + p.pad;
            if (r < 0 || r >= h || q < 0 || q >= w) {
              if (!max && p.count_include_pad && in_padding) ++taps;
              continue;
            }
            const double v = src[r * w + q];
            acc = max ? std::max(acc, v) : acc + v;
            ++taps;
          }
        out[(plane * oh + y) * ow + x] = static_cast<float>(max ? acc : acc / taps);
      }
  }
  return out;
}

Tensor GlobalAvgPool(const Shape& in, const Tensor& input) {
  const int64_t plane = in[2] * in[3];
  Tensor out(in[0] * in[1]);
  for (size_t c = 0; c < out.size(); ++c) {
    double sum = 0;
    for (int64_t i = 0; i < plane; ++i) sum += input[c * plane + i];
    out[c] = static_cast<float>(sum / plane);
  }
  return out;
}

Tensor Concat(const Node& node, const Graph& graph, const std::vector<Tensor>& values) {
  Tensor out;
  out.reserve(ElementCount(node.shape));
  const int64_t batch = node.shape[0];
  for (int64_t n = 0; n < batch; ++n)
    for (int input : node.inputs) {
      const int64_t size = ElementCount(graph.nodes[input].shape) / batch;
      const float* src = values[input].data() + n * size;
      out.insert(out.end(), src, src + size);
    }
  return out;
}

Tensor Softmax(const Shape& shape, const Tensor& input) {
  Tensor out(input.size());
  for (int64_t n = 0; n < shape[0]; ++n) {
    const float* row = &input[n * shape[1]];
    const double top = *std::max_element(row, row + shape[1]);
    double sum = 0;
    for (int64_t i = 0; i < shape[1]; ++i) sum += std::exp(row[i] - top);
    for (int64_t i = 0; i < shape[1]; ++i)
      out[n * shape[1] + i] = static_cast<float>(std::exp(row[i] - top) / sum);
  }
  return out;
}

}  // namespace

std::vector<float> RunReference(const Graph& graph, const std::vector<float>& input) {
  const int64_t expected = ElementCount(graph.input().shape);
  if (static_cast<int64_t>(input.size()) != expected)
    throw ConfigError("the input has " + std::to_string(input.size()) + " values; the network " +
                      graph.name + " takes " + ShapeText(graph.input().shape));
  // Each tensor is freed once its last reader has run.
  std::vector<int> readers_left = graph.ConsumerCounts();
  std::vector<Tensor> values(graph.nodes.size());
  values[0] = input;
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const Tensor& first = values[node.inputs[0]];
    const Shape& in = graph.nodes[node.inputs[0]].shape;
    Tensor out;
    switch (node.op) {
      case OpKind::kInput:
        TESSEL_CHECK(false) << "a second input node";
        break;
      case OpKind::kConv2d: {
        // Tensors here are NCHW whatever layout the compiled network stores them in.
        Conv2dShape nchw = node.conv;
        nchw.layout = TensorLayout::kNchw;
        out = ReferenceConv2d(nchw, first, node.weights);
        ApplyEpilogue(node, values, out, node.shape[1], node.shape[2] * node.shape[3]);
        break;
      }
      case OpKind::kDense:
        out = ReferenceDense(node.dense, first, node.weights);
        ApplyEpilogue(node, values, out, node.shape[1], 1);
        break;
      case OpKind::kBatchNorm:
        out = BatchNorm(node, first);
        break;
      case OpKind::kRelu:
        out = first;
        for (float& v : out) v = std::max(v, 0.f);
        break;
      case OpKind::kMaxPool:
        out = Pool(node, in, first, true);
        break;
      case OpKind::kAvgPool:
        out = Pool(node, in, first, false);
        break;
      case OpKind::kGlobalAvgPool:
        out = GlobalAvgPool(in, first);
        break;
      case OpKind::kAdd:
        out = first;
        for (size_t j = 0; j < out.size(); ++j) out[j] += values[node.inputs[1]][j];
        if (node.relu)
          for (float& v : out) v = std::max(v, 0.f);
        break;
      case OpKind::kConcat:
        out = Concat(node, graph, values);
        break;
      case OpKind::kFlatten:
      case OpKind::kLayoutTransform:  // the same tensor, stored otherwise
        out = first;
        break;
      case OpKind::kSoftmax:
        out = Softmax(node.shape, first);
        break;
    }
    values[i] = std::move(out);
    for (int input : node.inputs)
      if (--readers_left[input] == 0) Tensor().swap(values[input]);
    if (node.residual >= 0 && --readers_left[node.residual] == 0)
      Tensor().swap(values[node.residual]);
  }
  return values[graph.output];
}

}  // namespace tessel
