#include "costmodel/featurizer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace tessel {

std::vector<float> KnobFeatures(const Space& space, const Config& config) {
  std::vector<float> features;
  for (size_t i = 0; i < space.num_knobs(); ++i) {
    const KnobValue& value = space.Value(config, i);
    if (const auto* number = std::get_if<int64_t>(&value)) {
      features.push_back(static_cast<float>(std::log2(1.0 + std::fabs(double(*number)))));
    } else if (const auto* factors = std::get_if<Factors>(&value)) {
      for (int64_t factor : *factors) features.push_back(static_cast<float>(std::log2(factor)));
    } else {
      for (size_t v = 0; v < space.knobs()[i].values.size(); ++v)
        features.push_back(static_cast<int32_t>(v) == config[i] ? 1.f : 0.f);
    }
  }
  return features;
}

}  // namespace tessel
