// Feature vectors for cost models. A Featurizer turns configurations of one task into
// fixed-length vectors. Every space has knob features, AutoTVM's "knob" features: per split
// knob the log2 of each factor, per numeric knob log2(1 + value), per text knob one indicator
// per value. They are cheap, but their meaning is tied to one task's shape; a problem may
// offer features that describe more (the schedule problem's loop-nest features).
#pragma once

#include <memory>
#include <vector>

#include "space/space.h"

namespace tessel {

class Featurizer {
 public:
  virtual ~Featurizer() = default;
  // Bumped whenever the vectors change meaning: models are valid only for their version.
  virtual int version() const = 0;
  virtual std::vector<float> Features(const Config& config) const = 0;
};

// Feature vectors with their fitness in [0, 1] (best value over value, 0 for a failure).
struct FeatureRows {
  std::vector<std::vector<float>> features;
  std::vector<float> fitness;
};

// The featurizer's vector of each configuration, in order.
inline std::vector<std::vector<float>> FeatureRowsOf(const Featurizer& featurizer,
                                                     const std::vector<Config>& configs) {
  std::vector<std::vector<float>> rows;
  rows.reserve(configs.size());
  for (const Config& config : configs) rows.push_back(featurizer.Features(config));
  return rows;
}

std::vector<float> KnobFeatures(const Space& space, const Config& config);

class KnobFeaturizer : public Featurizer {
 public:
  explicit KnobFeaturizer(const Space& space) : space_(space) {}  // space must outlive it
  int version() const override { return 1; }
  std::vector<float> Features(const Config& config) const override {
    return KnobFeatures(space_, config);
  }

 private:
  const Space& space_;
};

}  // namespace tessel
