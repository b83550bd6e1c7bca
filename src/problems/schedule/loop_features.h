// The schedule problem's loop-nest features: AutoTVM's "itervar" features, from the
// template's description of the loop nest a configuration compiles to: per loop its extent,
// annotation, the iteration counts above and below it, and per buffer the stride, the bytes
// touched below the loop and their reuse. They describe what the hardware sees, so they carry
// across shapes (transfer learning). A schedule task's cost models see knob features, loop
// features or both (FeatureKind).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "costmodel/featurizer.h"
#include "problems/schedule/loop_nest.h"
#include "problems/schedule/operator_template.h"

namespace tessel {

enum class FeatureKind { kKnob, kLoop, kBoth };

// Throws tessel::ConfigError listing the known kinds when the name is unknown.
FeatureKind FeatureKindFromName(std::string_view name);
std::string_view FeatureKindName(FeatureKind kind);

// The fixed length of LoopFeatures: nests are padded or cut to kMaxLoops loops (innermost
// kept) and kMaxBuffers buffers.
constexpr int kMaxLoops = 20;
constexpr int kMaxBuffers = 3;
std::vector<float> LoopFeatures(const LoopNest& nest);

class LoopFeaturizer : public Featurizer {
 public:
  using Describe = std::function<LoopNest(const Config&)>;
  explicit LoopFeaturizer(Describe describe) : describe_(std::move(describe)) {}
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

// The featurizer of `kind` for the template's configurations (the template must outlive it).
std::unique_ptr<Featurizer> MakeFeaturizer(FeatureKind kind, const OperatorTemplate& op);

}  // namespace tessel
