// Random tensors for the kernel tests.
#pragma once

#include <vector>

#include "core/rng.h"

namespace tessel {

// `count` values uniform in [-1, 1).
inline std::vector<float> RandomValues(size_t count, Rng& rng) {
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(rng.UniformReal() * 2 - 1);
  return values;
}

}  // namespace tessel
