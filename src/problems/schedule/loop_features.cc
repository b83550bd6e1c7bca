#include "problems/schedule/loop_features.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace tessel {
namespace {

constexpr std::pair<FeatureKind, std::string_view> kFeatureNames[] = {
    {FeatureKind::kKnob, "knob"},
    {FeatureKind::kLoop, "loop"},
    {FeatureKind::kBoth, "both"},
};

float Log2(double value) { return static_cast<float>(std::log2(std::max(value, 1.0))); }

constexpr int kLoopKinds = 4;
// Per loop: log2 extent, one indicator per LoopKind, log2 of the iterations above and below
// it; per buffer: log2(1 + flat stride), log2 bytes touched below the loop, log2 reuse.
constexpr int kPerBuffer = 3;
constexpr int kPerLoop = 1 + kLoopKinds + 2 + kPerBuffer * kMaxBuffers;
// Whole-nest features: log2 of all iterations, of the parallel iterations, of the size of the
// unrolled and vectorised innermost body, and of the vector width.
constexpr int kGlobal = 4;

}  // namespace

FeatureKind FeatureKindFromName(std::string_view name) {
  std::string known;
  for (const auto& [kind, known_name] : kFeatureNames) {
    if (known_name == name) return kind;
    known += (known.empty() ? "" : ", ") + std::string(known_name);
  }
  throw ConfigError("unknown feature set '" + std::string(name) + "'; known: " + known);
}

std::string_view FeatureKindName(FeatureKind kind) {
  for (const auto& [known_kind, name] : kFeatureNames)
    if (known_kind == kind) return name;
  TESSEL_CHECK(false) << "unnamed feature kind";
  return {};
}

std::vector<float> LoopFeatures(const LoopNest& nest) {
  const size_t n = nest.loops.size();
  // Iterations of the loops above (inclusive) and below (inclusive) each loop.
  std::vector<double> above(n), below(n);
  for (size_t i = 0; i < n; ++i)
    above[i] = double(nest.loops[i].extent) * (i > 0 ? above[i - 1] : 1.0);
  for (size_t i = n; i-- > 0;)
    below[i] = double(nest.loops[i].extent) * (i + 1 < n ? below[i + 1] : 1.0);

  std::vector<float> features(kGlobal + kPerLoop * kMaxLoops, 0.f);
  double parallel = 1, body = 1, vector = 1;
  for (size_t i = n; i-- > 0;) {
    const Loop& loop = nest.loops[i];
    if (loop.kind == LoopKind::kParallel) parallel *= double(loop.extent);
    if (loop.kind == LoopKind::kVectorized) vector *= double(loop.extent);
  }
  // The straight-line body: the innermost run of unrolled and vectorised loops.
  for (size_t i = n; i-- > 0;) {
    const LoopKind kind = nest.loops[i].kind;
    if (kind != LoopKind::kUnrolled && kind != LoopKind::kVectorized) break;
    body *= double(nest.loops[i].extent);
  }
  features[0] = Log2(n > 0 ? above[n - 1] : 1.0);
  features[1] = Log2(parallel);
  features[2] = Log2(body);
  features[3] = Log2(vector);

  // The innermost kMaxLoops loops fill the slots from the back, so that the innermost loop is
  // always in the last slot whatever the depth of the nest.
  const size_t shown = std::min<size_t>(n, kMaxLoops);
  for (size_t s = 0; s < shown; ++s) {
    const size_t i = n - shown + s;
    const Loop& loop = nest.loops[i];
    float* slot = &features[kGlobal + kPerLoop * (kMaxLoops - shown + s)];
    slot[0] = Log2(double(loop.extent));
    slot[1 + static_cast<int>(loop.kind)] = 1.f;
    slot[1 + kLoopKinds] = Log2(above[i]);
    slot[2 + kLoopKinds] = Log2(below[i]);
    for (size_t b = 0; b < std::min<size_t>(nest.buffers.size(), kMaxBuffers); ++b) {
      const BufferAccess& buffer = nest.buffers[b];
      // The loop's flat stride, and the box of elements the loops i.. sweep.
      double stride = 0, elements = 1, dim_stride = 1;
      for (size_t d = 0; d < buffer.dims.size(); ++d) {
        const std::vector<int64_t>& row = buffer.coefficients[d];
        stride += double(std::llabs(row[i])) * dim_stride;
        double span = 1;
        for (size_t j = i; j < n; ++j)
          span += double(std::llabs(row[j])) * (nest.loops[j].extent - 1);
        elements *= std::min(span, double(buffer.dims[d]));
        dim_stride *= double(buffer.dims[d]);
      }
      float* out = slot + 3 + kLoopKinds + kPerBuffer * b;
      out[0] = static_cast<float>(std::log2(1.0 + stride));
      out[1] = Log2(elements * buffer.element_bytes);
      out[2] = Log2(below[i] / elements);
    }
  }
  return features;
}

std::unique_ptr<Featurizer> MakeFeaturizer(FeatureKind kind, const OperatorTemplate& op) {
  auto describe = [&op](const Config& config) { return op.DescribeLoops(config); };
  switch (kind) {
    case FeatureKind::kKnob:
      return std::make_unique<KnobFeaturizer>(op.space());
    case FeatureKind::kLoop:
      return std::make_unique<LoopFeaturizer>(describe);
    case FeatureKind::kBoth:
      return std::make_unique<CombinedFeaturizer>(op.space(), describe);
  }
  TESSEL_CHECK(false) << "unhandled feature kind";
  return nullptr;
}

}  // namespace tessel
