#include "network/zoo_graphs.h"

#include <array>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/rng.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

// Adds layers with random parameters drawn from one stream, named like torchvision's modules.
class RandomNetwork {
 public:
  RandomNetwork(std::string name, uint64_t seed)
      : builder_(std::move(name), {1, 3, 224, 224}), rng_(Rng(seed).Fork("weights")) {}

  int input() const { return 0; }

  int Conv(const std::string& name, int input, int64_t out, int64_t kernel, int64_t stride,
           int64_t pad, int64_t groups, bool bias) {
    const int64_t in = builder_.shape(input)[1];
    const int64_t fan_in = in / groups * kernel * kernel;
    std::vector<float> weights = Uniform(out * fan_in, std::sqrt(6.0 / fan_in));
    return builder_.Conv2d(name, input, out, kernel, stride, pad, groups, std::move(weights),
                           bias ? Uniform(out, 0.1) : std::vector<float>());
  }

  int BatchNorm(const std::string& name, int input) {
    const int64_t channels = builder_.shape(input)[1];
    return builder_.BatchNorm(name, input, Around(channels, 1, 0.2), Uniform(channels, 0.1),
                              Uniform(channels, 0.1), Around(channels, 1, 0.2), 1e-5f);
  }

  int Dense(const std::string& name, int input, int64_t out) {
    const int64_t in = builder_.shape(input)[1];
    return builder_.Dense(name, input, out, Uniform(out * in, std::sqrt(6.0 / in)),
                          Uniform(out, 0.1));
  }

  // AlexNet's and VGG's classifier: flatten, two 4096-wide dense layers with ReLU, then the
  // 1000 logits; `names` are torchvision's module names (dense, relu, dense, relu, dense).
  int Classifier(int input, const std::array<std::string, 5>& names) {
    int x = builder_.Flatten("flatten", input);
    x = builder_.Relu(names[1], Dense(names[0], x, 4096));
    x = builder_.Relu(names[3], Dense(names[2], x, 4096));
    return Dense(names[4], x, 1000);
  }

  GraphBuilder& builder() { return builder_; }

 private:
  std::vector<float> Uniform(int64_t count, double bound) {
    std::vector<float> values(count);
    for (float& v : values) v = static_cast<float>((rng_.UniformReal() * 2 - 1) * bound);
    return values;
  }
  std::vector<float> Around(int64_t count, double centre, double spread) {
    std::vector<float> values = Uniform(count, spread);
    for (float& v : values) v += static_cast<float>(centre);
    return values;
  }

  GraphBuilder builder_;
  Rng rng_;
};

PoolAttrs Pool(int64_t kernel, int64_t stride, int64_t pad = 0, bool ceil_mode = false) {
  PoolAttrs attrs;
  attrs.kernel = kernel;
  attrs.stride = stride;
  attrs.pad = pad;
  attrs.ceil_mode = ceil_mode;
  return attrs;
}

Graph ResNet18(uint64_t seed) {
  RandomNetwork net("resnet18", seed);
  GraphBuilder& b = net.builder();
  int x = net.Conv("conv1", net.input(), 64, 7, 2, 3, 1, false);
  x = b.Relu("relu", net.BatchNorm("bn1", x));
  x = b.MaxPool("maxpool", x, Pool(3, 2, 1));
  int64_t channels = 64;
  for (int layer = 1; layer <= 4; ++layer) {
    const int64_t out = 64 << (layer - 1);
    for (int block = 0; block < 2; ++block) {
      const std::string prefix = "layer" + std::to_string(layer) + "." + std::to_string(block);
      const int64_t stride = layer > 1 && block == 0 ? 2 : 1;
      int y = net.Conv(prefix + ".conv1", x, out, 3, stride, 1, 1, false);
      y = b.Relu(prefix + ".relu1", net.BatchNorm(prefix + ".bn1", y));
      y = net.BatchNorm(prefix + ".bn2", net.Conv(prefix + ".conv2", y, out, 3, 1, 1, 1, false));
      int identity = x;
      if (stride != 1 || channels != out)
        identity = net.BatchNorm(prefix + ".downsample.1", net.Conv(prefix + ".downsample.0", x,
                                                                    out, 1, stride, 0, 1, false));
      x = b.Relu(prefix + ".relu2", b.Add(prefix + ".add", y, identity));
      channels = out;
    }
  }
  x = b.Flatten("flatten", b.GlobalAvgPool("avgpool", x));
  return std::move(b).Finish(net.Dense("fc", x, 1000));
}

Graph AlexNet(uint64_t seed) {
  RandomNetwork net("alexnet", seed);
  GraphBuilder& b = net.builder();
  int x = b.Relu("features.1", net.Conv("features.0", net.input(), 64, 11, 4, 2, 1, true));
  x = b.MaxPool("features.2", x, Pool(3, 2));
  x = b.Relu("features.4", net.Conv("features.3", x, 192, 5, 1, 2, 1, true));
  x = b.MaxPool("features.5", x, Pool(3, 2));
  x = b.Relu("features.7", net.Conv("features.6", x, 384, 3, 1, 1, 1, true));
  x = b.Relu("features.9", net.Conv("features.8", x, 256, 3, 1, 1, 1, true));
  x = b.Relu("features.11", net.Conv("features.10", x, 256, 3, 1, 1, 1, true));
  x = b.MaxPool("features.12", x, Pool(3, 2));
  // The adaptive 6x6 average pool is the identity on a 224x224 input.
  return std::move(b).Finish(net.Classifier(
      x, {"classifier.1", "classifier.2", "classifier.4", "classifier.5", "classifier.6"}));
}

Graph Vgg16(uint64_t seed) {
  RandomNetwork net("vgg16", seed);
  GraphBuilder& b = net.builder();
  int x = net.input();
  int index = 0;
  for (int64_t width : {64, -64, 128, -128, 256, 256, -256, 512, 512, -512, 512, 512, -512}) {
    // A negative width: the convolution of that width, then a 2x2 max pool.
    const int64_t out = width < 0 ? -width : width;
    x = net.Conv("features." + std::to_string(index), x, out, 3, 1, 1, 1, true);
    x = b.Relu("features." + std::to_string(index + 1), x);
    index += 2;
    if (width < 0) x = b.MaxPool("features." + std::to_string(index++), x, Pool(2, 2));
  }
  // The adaptive 7x7 average pool is the identity on a 224x224 input.
  return std::move(b).Finish(net.Classifier(
      x, {"classifier.0", "classifier.1", "classifier.3", "classifier.4", "classifier.6"}));
}

Graph MobileNetV1(uint64_t seed) {
  RandomNetwork net("mobilenet_v1", seed);
  GraphBuilder& b = net.builder();
  int x = net.Conv("model.0.0", net.input(), 32, 3, 2, 1, 1, false);
  x = b.Relu("model.0.2", net.BatchNorm("model.0.1", x));
  const int64_t blocks[][2] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                               {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                               {512, 1}, {1024, 2}, {1024, 1}};
  int64_t channels = 32;
  int index = 1;
  for (const auto& [out, stride] : blocks) {
    const std::string prefix = "model." + std::to_string(index++) + ".";
    x = net.Conv(prefix + "0", x, channels, 3, stride, 1, channels, false);
    x = b.Relu(prefix + "2", net.BatchNorm(prefix + "1", x));
    x = net.Conv(prefix + "3", x, out, 1, 1, 0, 1, false);
    x = b.Relu(prefix + "5", net.BatchNorm(prefix + "4", x));
    channels = out;
  }
  x = b.Flatten("flatten", b.AvgPool("model.14", x, Pool(7, 1)));
  return std::move(b).Finish(net.Dense("fc", x, 1000));
}

Graph SqueezeNet11(uint64_t seed) {
  RandomNetwork net("squeezenet_v1.1", seed);
  GraphBuilder& b = net.builder();
  int x = b.Relu("features.1", net.Conv("features.0", net.input(), 64, 3, 2, 0, 1, true));
  auto fire = [&](int index, int input, int64_t squeeze, int64_t expand) {
    const std::string prefix = "features." + std::to_string(index) + ".";
    const int s = b.Relu(prefix + "squeeze_activation",
                         net.Conv(prefix + "squeeze", input, squeeze, 1, 1, 0, 1, true));
    const int e1 = b.Relu(prefix + "expand1x1_activation",
                          net.Conv(prefix + "expand1x1", s, expand, 1, 1, 0, 1, true));
    const int e3 = b.Relu(prefix + "expand3x3_activation",
                          net.Conv(prefix + "expand3x3", s, expand, 3, 1, 1, 1, true));
    return b.Concat(prefix + "cat", {e1, e3});
  };
  x = b.MaxPool("features.2", x, Pool(3, 2, 0, true));
  x = fire(3, x, 16, 64);
  x = fire(4, x, 16, 64);
  x = b.MaxPool("features.5", x, Pool(3, 2, 0, true));
  x = fire(6, x, 32, 128);
  x = fire(7, x, 32, 128);
  x = b.MaxPool("features.8", x, Pool(3, 2, 0, true));
  x = fire(9, x, 48, 192);
  x = fire(10, x, 48, 192);
  x = fire(11, x, 64, 256);
  x = fire(12, x, 64, 256);
  x = b.Relu("classifier.2", net.Conv("classifier.1", x, 1000, 1, 1, 0, 1, true));
  x = b.Flatten("flatten", b.GlobalAvgPool("classifier.3", x));
  return std::move(b).Finish(x);
}

}  // namespace

Graph ZooGraph(std::string_view model, uint64_t seed) {
  const std::string name = FindModel(model).name;  // unknown names fail here
  if (name == "resnet18") return ResNet18(seed);
  if (name == "alexnet") return AlexNet(seed);
  if (name == "vgg16") return Vgg16(seed);
  if (name == "mobilenet_v1") return MobileNetV1(seed);
  if (name == "squeezenet_v1.1") return SqueezeNet11(seed);
  TESSEL_CHECK(false) << "zoo model " << name << " has no graph";
  return {};
}

}  // namespace tessel
