// A small network with every pattern the graph passes rewrite, for the graph tests.
#pragma once

#include <string>
#include <vector>

#include "core/rng.h"
#include "network/graph.h"

namespace tessel {

inline std::vector<float> RandomValues(Rng& rng, int64_t count, double bound = 1) {
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>((rng.UniformReal() * 2 - 1) * bound);
  return values;
}

// A residual block with a projection shortcut, a fire-like concatenation and a classifier:
// every pattern the passes rewrite, on a 1x4x12x12 input.
inline Graph SmallNetwork(uint64_t seed) {
  Rng rng(seed);
  GraphBuilder b("small", {1, 4, 12, 12});
  auto conv = [&](const std::string& name, int input, int64_t out, int64_t kernel, int64_t stride,
                  int64_t pad, bool bias) {
    const int64_t in = b.shape(input)[1];
    return b.Conv2d(name, input, out, kernel, stride, pad, 1,
                    RandomValues(rng, out * in * kernel * kernel, 0.5),
                    bias ? RandomValues(rng, out, 0.1) : std::vector<float>());
  };
  auto norm = [&](const std::string& name, int input) {
    const int64_t c = b.shape(input)[1];
    std::vector<float> var = RandomValues(rng, c, 0.3);
    for (float& v : var) v += 1;
    return b.BatchNorm(name, input, RandomValues(rng, c), RandomValues(rng, c, 0.2),
                       RandomValues(rng, c, 0.2), var, 1e-5f);
  };
  int x = b.Relu("stem.relu", norm("stem.bn", conv("stem", 0, 8, 3, 1, 1, false)));
  int y = b.Relu("block.relu1", norm("block.bn1", conv("block.conv1", x, 16, 3, 2, 1, false)));
  y = norm("block.bn2", conv("block.conv2", y, 16, 3, 1, 1, false));
  const int shortcut = norm("block.down.bn", conv("block.down", x, 16, 1, 2, 0, false));
  x = b.Relu("block.relu2", b.Add("block.add", y, shortcut));
  const int squeeze = b.Relu("fire.squeeze.relu", conv("fire.squeeze", x, 4, 1, 1, 0, true));
  const int e1 = b.Relu("fire.e1.relu", conv("fire.e1", squeeze, 8, 1, 1, 0, true));
  const int e3 = b.Relu("fire.e3.relu", conv("fire.e3", squeeze, 8, 3, 1, 1, true));
  x = b.Concat("fire.cat", {e1, e3});
  x = b.Relu("sum.relu", b.Add("sum", x, x));  // no convolution to fuse into
  x = b.Flatten("flat", b.GlobalAvgPool("gap", x));
  x = b.Relu("fc1.relu", b.Dense("fc1", x, 12, RandomValues(rng, 192), RandomValues(rng, 12)));
  return std::move(b).Finish(b.Dense("fc2", x, 8, RandomValues(rng, 96), {}));
}

}  // namespace tessel
