#include "tune/tuner.h"

#include "core/error.h"
#include "tune/model_based_tuner.h"
#include "tune/random_tuner.h"

namespace tessel {

namespace {
constexpr std::pair<TunerKind, std::string_view> kTunerNames[] = {
    {TunerKind::kRandom, "random"},
    {TunerKind::kGrid, "grid"},
    {TunerKind::kAutoTvm, "autotvm"},
};
}  // namespace

TunerKind TunerKindFromName(std::string_view name) {
  std::string known;
  for (const auto& [kind, known_name] : kTunerNames) {
    if (known_name == name) return kind;
    known += (known.empty() ? "" : ", ") + std::string(known_name);
  }
  throw ConfigError("unknown tuner '" + std::string(name) + "'; known tuners: " + known);
}

std::string_view TunerKindName(TunerKind kind) {
  for (const auto& [known_kind, name] : kTunerNames)
    if (known_kind == kind) return name;
  TESSEL_CHECK(false) << "unnamed tuner kind";
  return {};
}

std::unique_ptr<Tuner> MakeTuner(TunerKind kind, const TunerContext& context, Rng rng) {
  switch (kind) {
    case TunerKind::kRandom:
      return std::make_unique<RandomTuner>(context.space, std::move(rng));
    case TunerKind::kGrid:
      return std::make_unique<GridTuner>(context.space);
    case TunerKind::kAutoTvm: {
      TESSEL_CHECK(context.featurizer != nullptr) << "autotvm needs a featurizer";
      auto tuner = std::make_unique<ModelBasedTuner>(context.space, *context.featurizer,
                                                     ModelBasedTuner::Options{}, std::move(rng));
      if (context.history) tuner->WarmStart(*context.history);
      return tuner;
    }
  }
  TESSEL_CHECK(false) << "unhandled tuner kind";
  return nullptr;
}

}  // namespace tessel
