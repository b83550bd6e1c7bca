// One quantizable layer of a network (a convolution or a fully connected layer) as the
// hardware models and the quantization problem see it: its shape, how many weights it holds and
// how many multiply-adds one input costs. Pooling and activations are not quantizable layers;
// they only shape the next layer's input.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

enum class QuantLayerKind { kConv, kDense };

struct QuantLayer {
  std::string name;  // "conv1", "fc1": as the network's definition names it
  QuantLayerKind kind = QuantLayerKind::kConv;
  // The input one image gives this layer; a dense layer has height = width = 1 and
  // `in_channels` input features.
  int in_channels = 1, in_height = 1, in_width = 1;
  int out_channels = 1;
  int kernel = 1, stride = 1, padding = 0;  // square kernels; 1, 1, 0 for a dense layer

  int out_height() const { return (in_height + 2 * padding - kernel) / stride + 1; }
  int out_width() const { return (in_width + 2 * padding - kernel) / stride + 1; }
  int64_t weights() const { return int64_t{out_channels} * in_channels * kernel * kernel; }
  // Multiply-adds for one input image.
  int64_t macs() const { return weights() * out_height() * out_width(); }

  bool operator==(const QuantLayer&) const = default;
};

// A square convolution on a size x size input with `channels` channels, stride 1.
inline QuantLayer ConvLayer(std::string name, int channels, int size, int out_channels, int kernel,
                            int padding = 0) {
  QuantLayer layer;
  layer.name = std::move(name);
  layer.in_channels = channels;
  layer.in_height = layer.in_width = size;
  layer.out_channels = out_channels;
  layer.kernel = kernel;
  layer.padding = padding;
  return layer;
}

inline QuantLayer DenseLayer(std::string name, int in_features, int out_features) {
  QuantLayer layer;
  layer.name = std::move(name);
  layer.kind = QuantLayerKind::kDense;
  layer.in_channels = in_features;
  layer.out_channels = out_features;
  return layer;
}

}  // namespace tessel
