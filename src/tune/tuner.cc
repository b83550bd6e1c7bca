#include "tune/tuner.h"

#include "core/error.h"
#include "tune/model_based_tuner.h"
#include "tune/random_tuner.h"

namespace tessel {

namespace {
constexpr std::pair<TunerKind, std::string_view> kTunerNames[] = {
    {TunerKind::kRandom, "random"},   {TunerKind::kGrid, "grid"}, {TunerKind::kAutoTvm, "autotvm"},
    {TunerKind::kRelease, "release"}, {TunerKind::kRl, "rl"},     {TunerKind::kSaAs, "sa-as"},
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

bool IsModelBased(TunerKind kind) { return kind != TunerKind::kRandom && kind != TunerKind::kGrid; }

bool UsesPpo(TunerKind kind) { return kind == TunerKind::kRelease || kind == TunerKind::kRl; }

bool UsesAdaptiveSampling(TunerKind kind) {
  return kind == TunerKind::kRelease || kind == TunerKind::kSaAs;
}

std::unique_ptr<Tuner> MakeTuner(TunerKind kind, const TunerContext& context, Rng rng) {
  switch (kind) {
    case TunerKind::kRandom:
      return std::make_unique<RandomTuner>(context.space, std::move(rng));
    case TunerKind::kGrid:
      return std::make_unique<GridTuner>(context.space);
    case TunerKind::kAutoTvm:
    case TunerKind::kRelease:
    case TunerKind::kRl:
    case TunerKind::kSaAs: {
      TESSEL_CHECK(context.featurizer != nullptr) << "model-based tuners need a featurizer";
      ModelBasedTuner::Options options;
      const bool ppo = UsesPpo(kind);
      const bool adaptive = UsesAdaptiveSampling(kind);
      options.search = ppo ? ModelBasedTuner::Search::kPpo : ModelBasedTuner::Search::kAnnealing;
      options.selection =
          adaptive ? ModelBasedTuner::Selection::kAdaptive : ModelBasedTuner::Selection::kGreedy;
      if (context.ppo) options.ppo = *context.ppo;
      if (context.sampling) options.sampling = *context.sampling;
      auto tuner = std::make_unique<ModelBasedTuner>(context.space, *context.featurizer, options,
                                                     std::move(rng));
      if (context.history) tuner->WarmStart(*context.history);
      return tuner;
    }
  }
  TESSEL_CHECK(false) << "unhandled tuner kind";
  return nullptr;
}

}  // namespace tessel
