#include "problems/quant/quant_nets.h"

#include <sstream>

#include "core/error.h"

namespace tessel {
namespace {

// Builds a network layer by layer, each layer's input shape following from the one before:
// the previous layer's output, halved by a pool, flattened before the first dense layer.
class NetBuilder {
 public:
  NetBuilder(std::string name, std::string summary) {
    net_.name = std::move(name);
    net_.summary = std::move(summary);
    channels_ = net_.input_channels;
    height_ = net_.input_height;
    width_ = net_.input_width;
  }

  NetBuilder& Conv(const std::string& name, int out_channels, int kernel, int padding = 0) {
    QuantLayer layer;
    layer.name = name;
    layer.kind = QuantLayerKind::kConv;
    layer.in_channels = channels_;
    layer.in_height = height_;
    layer.in_width = width_;
    layer.out_channels = out_channels;
    layer.kernel = kernel;
    layer.padding = padding;
    return Add(layer);
  }

  NetBuilder& Dense(const std::string& name, int out_features) {
    QuantLayer layer;
    layer.name = name;
    layer.kind = QuantLayerKind::kDense;
    layer.in_channels = channels_ * height_ * width_;
    layer.out_channels = out_features;
    return Add(layer);
  }

  NetBuilder& Pool() {
    TESSEL_CHECK(!net_.layers.empty() && !net_.pool_after.back()) << net_.name;
    net_.pool_after.back() = true;
    height_ /= 2;
    width_ /= 2;
    return *this;
  }

  QuantNetDefinition Build() const { return net_; }

 private:
  NetBuilder& Add(const QuantLayer& layer) {
    net_.layers.push_back(layer);
    net_.pool_after.push_back(false);
    channels_ = layer.out_channels;
    height_ = layer.out_height();
    width_ = layer.out_width();
    return *this;
  }

  QuantNetDefinition net_;
  int channels_, height_, width_;
};

std::vector<QuantNetDefinition> MakeNets() {
  return {
      // LeNet-5 as Caffe's MNIST example and ReLeQ's LeNet define it: 2,293,000 multiply-adds.
      NetBuilder("lenet5", "LeNet-5: conv 20 5x5, pool, conv 50 5x5, pool, fc 500, fc 10")
          .Conv("conv1", 20, 5)
          .Pool()
          .Conv("conv2", 50, 5)
          .Pool()
          .Dense("fc1", 500)
          .Dense("fc2", 10)
          .Build(),
      // A deeper VGG-style net (pairs of padded 3x3 convolutions): six quantizable layers from
      // 144 to 200,704 weights, so that bits matter unevenly; 4,830,720 multiply-adds, about
      // twice lenet5's, to train in minutes on two cores.
      NetBuilder("convnet6",
                 "conv 16 3x3, conv 16 3x3, pool, conv 32 3x3, conv 32 3x3, pool, fc 128, fc 10")
          .Conv("conv1", 16, 3, 1)
          .Conv("conv2", 16, 3, 1)
          .Pool()
          .Conv("conv3", 32, 3, 1)
          .Conv("conv4", 32, 3, 1)
          .Pool()
          .Dense("fc1", 128)
          .Dense("fc2", 10)
          .Build(),
  };
}

}  // namespace

std::string QuantNetDefinition::canonical_text() const {
  std::ostringstream text;
  text << "net " << name << " input " << input_channels << 'x' << input_height << 'x' << input_width
       << '\n';
  for (size_t i = 0; i < layers.size(); ++i) {
    const QuantLayer& layer = layers[i];
    text << layer.name << ' ' << (layer.kind == QuantLayerKind::kConv ? "conv" : "dense") << " in "
         << layer.in_channels << 'x' << layer.in_height << 'x' << layer.in_width << " out "
         << layer.out_channels << " kernel " << layer.kernel << " stride " << layer.stride
         << " padding " << layer.padding << (pool_after[i] ? " pool2" : "") << '\n';
  }
  return text.str();
}

int64_t QuantNetDefinition::macs() const {
  int64_t total = 0;
  for (const QuantLayer& layer : layers) total += layer.macs();
  return total;
}

int64_t QuantNetDefinition::weights() const {
  int64_t total = 0;
  for (const QuantLayer& layer : layers) total += layer.weights();
  return total;
}

const std::vector<QuantNetDefinition>& QuantNets() {
  static const std::vector<QuantNetDefinition> nets = MakeNets();
  return nets;
}

const QuantNetDefinition& FindQuantNet(const std::string& name) {
  std::string known;
  for (const QuantNetDefinition& net : QuantNets()) {
    if (net.name == name) return net;
    known += (known.empty() ? "" : ", ") + net.name;
  }
  throw ConfigError("unknown quantization network '" + name + "' (known: " + known + ")");
}

}  // namespace tessel
