// Feature vectors for cost models. A Featurizer turns configurations of one task into
// fixed-length vectors; two kinds exist:
//   knob  AutoTVM's "knob" features: per split knob the log2 of each factor, per numeric knob
//         log2(1 + value), per text knob one indicator per value. Cheap, but their meaning is
//         tied to one task's shape.
//   loop  AutoTVM's "itervar" features, from the template's description of the loop nest: per
//         loop its extent, annotation, the iteration counts above and below it, and per buffer
//         the stride, the bytes touched below the loop and their reuse. They describe what the
//         hardware sees, so they carry across shapes (transfer learning).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "costmodel/loop_nest.h"
#include "space/space.h"

namespace tessel {

enum class FeatureKind { kKnob, kLoop, kBoth };

// Throws tessel::ConfigError listing the known kinds when the name is unknown.
FeatureKind FeatureKindFromName(std::string_view name);
std::string_view FeatureKindName(FeatureKind kind);

class Featurizer {
 public:
  virtual ~Featurizer() = default;
  virtual FeatureKind kind() const = 0;
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

// The fixed length of LoopFeatures: nests are padded or cut to kMaxLoops loops (innermost
// kept) and kMaxBuffers buffers.
constexpr int kMaxLoops = 20;
constexpr int kMaxBuffers = 3;
std::vector<float> LoopFeatures(const LoopNest& nest);

class KnobFeaturizer : public Featurizer {
 public:
  explicit KnobFeaturizer(const Space& space) : space_(space) {}  // space must outlive it
  FeatureKind kind() const override { return FeatureKind::kKnob; }
  int version() const override { return 1; }
  std::vector<float> Features(const Config& config) const override {
    return KnobFeatures(space_, config);
  }

 private:
  const Space& space_;
};

class LoopFeaturizer : public Featurizer {
 public:
  using Describe = std::function<LoopNest(const Config&)>;
  explicit LoopFeaturizer(Describe describe) : describe_(std::move(describe)) {}
  FeatureKind kind() const override { return FeatureKind::kLoop; }
  int version() const override { return 1; }
  std::vector<float> Features(const Config& config) const override {
    return LoopFeatures(describe_(config));
  }

 private:
  Describe describe_;
};

// Knob features followed by loop features.
class CombinedFeaturizer : public Featurizer {
 public:
  CombinedFeaturizer(const Space& space, LoopFeaturizer::Describe describe)
      : knob_(space), loop_(std::move(describe)) {}
  FeatureKind kind() const override { return FeatureKind::kBoth; }
  int version() const override { return 1; }
  std::vector<float> Features(const Config& config) const override {
    std::vector<float> features = knob_.Features(config);
    const std::vector<float> loop = loop_.Features(config);
    features.insert(features.end(), loop.begin(), loop.end());
    return features;
  }

 private:
  KnobFeaturizer knob_;
  LoopFeaturizer loop_;
};

}  // namespace tessel
