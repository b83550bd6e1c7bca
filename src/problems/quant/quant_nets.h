// The networks the quantization problem trains and quantizes, as data: each quantizable layer
// (a convolution or a fully connected layer) in order, and where a 2x2 max pool follows one.
// Every layer but the last is followed by a ReLU; the first dense layer reads the previous
// layer's output flattened (channel, row, column). docs/quant_model.md describes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "problems/quant/quant_layer.h"

namespace tessel {

struct QuantNetDefinition {
  std::string name;     // "lenet5": what --net names it
  std::string summary;  // one line for listings
  int input_channels = 1, input_height = 28, input_width = 28;
  std::vector<QuantLayer> layers;
  std::vector<bool> pool_after;  // pool_after[i]: a 2x2 max pool (stride 2) follows layer i

  // Every field, one layer a line: what a trained model's cache key is made of.
  std::string canonical_text() const;
  int64_t macs() const;     // multiply-adds for one image, over the quantizable layers
  int64_t weights() const;  // weights over the quantizable layers (biases not counted)
  int classes() const { return layers.empty() ? 0 : layers.back().out_channels; }
};

// lenet5 and convnet6, in that order.
const std::vector<QuantNetDefinition>& QuantNets();
// Throws tessel::Error naming the known networks when `name` is none of them.
const QuantNetDefinition& FindQuantNet(const std::string& name);

}  // namespace tessel
