#include "problems/schedule/zoo.h"

#include "core/error.h"

namespace tessel {
namespace {

Conv2dShape Conv(int64_t c, int64_t hw, int64_t k, int64_t kernel, int64_t stride, int64_t pad,
                 int64_t groups = 1) {
  Conv2dShape conv;
  conv.c = c;
  conv.h = conv.w = hw;
  conv.k = k;
  conv.r = conv.s = kernel;
  conv.stride = stride;
  conv.pad = pad;
  conv.groups = groups;
  return conv;
}

DenseShape Dense(int64_t in, int64_t out) {
  DenseShape dense;
  dense.in = in;
  dense.out = out;
  return dense;
}

ZooModel MakeModel(std::string name, std::string prefix,
                   std::vector<std::pair<Workload, int>> tasks) {
  ZooModel model{std::move(name), std::move(prefix), {}};
  for (size_t i = 0; i < tasks.size(); ++i)
    model.layers.push_back(
        {model.prefix + "." + std::to_string(i + 1), tasks[i].first, tasks[i].second});
  return model;
}

std::vector<ZooModel> BuildZoo() {
  std::vector<ZooModel> zoo;
  zoo.push_back(MakeModel("resnet18", "r18",
                          {{Conv(3, 224, 64, 7, 2, 3), 1},
                           {Conv(64, 56, 64, 3, 1, 1), 4},
                           {Conv(64, 56, 128, 3, 2, 1), 1},
                           {Conv(64, 56, 128, 1, 2, 0), 1},
                           {Conv(128, 28, 128, 3, 1, 1), 3},
                           {Conv(128, 28, 256, 3, 2, 1), 1},
                           {Conv(128, 28, 256, 1, 2, 0), 1},
                           {Conv(256, 14, 256, 3, 1, 1), 3},
                           {Conv(256, 14, 512, 3, 2, 1), 1},
                           {Conv(256, 14, 512, 1, 2, 0), 1},
                           {Conv(512, 7, 512, 3, 1, 1), 3},
                           {Dense(512, 1000), 1}}));
  zoo.push_back(MakeModel("alexnet", "alex",
                          {{Conv(3, 224, 64, 11, 4, 2), 1},
                           {Conv(64, 27, 192, 5, 1, 2), 1},
                           {Conv(192, 13, 384, 3, 1, 1), 1},
                           {Conv(384, 13, 256, 3, 1, 1), 1},
                           {Conv(256, 13, 256, 3, 1, 1), 1},
                           {Dense(9216, 4096), 1},
                           {Dense(4096, 4096), 1},
                           {Dense(4096, 1000), 1}}));
  zoo.push_back(MakeModel("vgg16", "vgg",
                          {{Conv(3, 224, 64, 3, 1, 1), 1},
                           {Conv(64, 224, 64, 3, 1, 1), 1},
                           {Conv(64, 112, 128, 3, 1, 1), 1},
                           {Conv(128, 112, 128, 3, 1, 1), 1},
                           {Conv(128, 56, 256, 3, 1, 1), 1},
                           {Conv(256, 56, 256, 3, 1, 1), 2},
                           {Conv(256, 28, 512, 3, 1, 1), 1},
                           {Conv(512, 28, 512, 3, 1, 1), 2},
                           {Conv(512, 14, 512, 3, 1, 1), 3},
                           {Dense(25088, 4096), 1},
                           {Dense(4096, 4096), 1},
                           {Dense(4096, 1000), 1}}));
  // MobileNet-v1: stem, then depthwise 3x3 (groups = channels), then pointwise 1x1.
  std::vector<std::pair<Workload, int>> mobilenet = {{Conv(3, 224, 32, 3, 2, 1), 1}};
  const int64_t depthwise[][4] = {{32, 112, 1, 1}, {64, 112, 2, 1}, {128, 56, 1, 1},
                                  {128, 56, 2, 1}, {256, 28, 1, 1}, {256, 28, 2, 1},
                                  {512, 14, 1, 5}, {512, 14, 2, 1}, {1024, 7, 1, 1}};
  for (const auto& [channels, hw, stride, count] : depthwise)
    mobilenet.push_back({Conv(channels, hw, channels, 3, stride, 1, channels), int(count)});
  const int64_t pointwise[][4] = {{32, 64, 112, 1},  {64, 128, 56, 1},  {128, 128, 56, 1},
                                  {128, 256, 28, 1}, {256, 256, 28, 1}, {256, 512, 14, 1},
                                  {512, 512, 14, 5}, {512, 1024, 7, 1}, {1024, 1024, 7, 1}};
  for (const auto& [in, out, hw, count] : pointwise)
    mobilenet.push_back({Conv(in, hw, out, 1, 1, 0), int(count)});
  mobilenet.push_back({Dense(1024, 1000), 1});
  zoo.push_back(MakeModel("mobilenet_v1", "mb1", std::move(mobilenet)));
  // SqueezeNet-v1.1 (torchvision): conv1 3x3/2 without padding, fire modules of squeeze 1x1
  // then expand 1x1 and expand 3x3 (pad 1), conv10 1x1 to 1000 classes on 13x13.
  zoo.push_back(MakeModel("squeezenet_v1.1", "sq",
                          {{Conv(3, 224, 64, 3, 2, 0), 1},
                           {Conv(64, 55, 16, 1, 1, 0), 1},
                           {Conv(16, 55, 64, 1, 1, 0), 2},
                           {Conv(16, 55, 64, 3, 1, 1), 2},
                           {Conv(128, 55, 16, 1, 1, 0), 1},
                           {Conv(128, 27, 32, 1, 1, 0), 1},
                           {Conv(32, 27, 128, 1, 1, 0), 2},
                           {Conv(32, 27, 128, 3, 1, 1), 2},
                           {Conv(256, 27, 32, 1, 1, 0), 1},
                           {Conv(256, 13, 48, 1, 1, 0), 1},
                           {Conv(48, 13, 192, 1, 1, 0), 2},
                           {Conv(48, 13, 192, 3, 1, 1), 2},
                           {Conv(384, 13, 48, 1, 1, 0), 1},
                           {Conv(384, 13, 64, 1, 1, 0), 1},
                           {Conv(64, 13, 256, 1, 1, 0), 2},
                           {Conv(64, 13, 256, 3, 1, 1), 2},
                           {Conv(512, 13, 64, 1, 1, 0), 1},
                           {Conv(512, 13, 1000, 1, 1, 0), 1}}));
  return zoo;
}

}  // namespace

const std::vector<ZooModel>& Zoo() {
  static const std::vector<ZooModel> zoo = BuildZoo();
  return zoo;
}

const ZooModel& FindModel(std::string_view name) {
  std::string known;
  for (const ZooModel& model : Zoo()) {
    if (model.name == name) return model;
    known += (known.empty() ? "" : ", ") + model.name;
  }
  throw ConfigError("unknown model '" + std::string(name) + "'; known models: " + known);
}

const ZooLayer& FindLayer(const ZooModel& model, std::string_view layer) {
  for (const ZooLayer& candidate : model.layers)
    if (candidate.name == layer || candidate.name == model.prefix + "." + std::string(layer))
      return candidate;
  throw ConfigError("unknown layer '" + std::string(layer) + "' of model " + model.name +
                    "; its layers are " + model.prefix + ".1 to " + model.prefix + "." +
                    std::to_string(model.layers.size()));
}

const ZooLayer& FindZooLayer(std::string_view name) {
  for (const ZooModel& model : Zoo())
    for (const ZooLayer& layer : model.layers)
      if (layer.name == name) return layer;
  throw ConfigError("unknown layer '" + std::string(name) +
                    "'; give a layer as 'tessel zoo' lists them, e.g. r18.2");
}

}  // namespace tessel
