#include "tune/tuner.h"

#include "core/error.h"
#include "tune/model_based_tuner.h"
#include "tune/random_tuner.h"

namespace tessel {

namespace {
constexpr std::pair<TunerKind, std::string_view> kTunerNames[] = {
    {TunerKind::kRandom, "random"},   {TunerKind::kGrid, "grid"},
    {TunerKind::kAutoTvm, "autotvm"}, {TunerKind::kRelease, "release"},
    {TunerKind::kRl, "rl"},           {TunerKind::kSaAs, "sa-as"},
    {TunerKind::kBted, "bted"},       {TunerKind::kBtedBao, "bted-bao"},
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

bool UsesBao(TunerKind kind) { return kind == TunerKind::kBtedBao; }

InitialDesign InitialDesignFromName(std::string_view name) {
  if (name == "random") return InitialDesign::kRandom;
  if (name == "bted") return InitialDesign::kBted;
  throw ConfigError("unknown initial design '" + std::string(name) + "'; known: random, bted");
}

InitialDesign EffectiveInitialDesign(TunerKind kind, InitialDesign requested) {
  if (requested != InitialDesign::kPreset) return requested;
  return kind == TunerKind::kBted || kind == TunerKind::kBtedBao ? InitialDesign::kBted
                                                                 : InitialDesign::kRandom;
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
    case TunerKind::kSaAs:
    case TunerKind::kBted:
    case TunerKind::kBtedBao: {
      TESSEL_CHECK(context.featurizer != nullptr) << "model-based tuners need a featurizer";
      ModelBasedTuner::Options options;
      const bool ppo = UsesPpo(kind);
      const bool adaptive = UsesAdaptiveSampling(kind);
      options.search = ppo             ? ModelBasedTuner::Search::kPpo
                       : UsesBao(kind) ? ModelBasedTuner::Search::kBao
                                       : ModelBasedTuner::Search::kAnnealing;
      options.selection =
          adaptive ? ModelBasedTuner::Selection::kAdaptive : ModelBasedTuner::Selection::kGreedy;
      if (context.ppo) options.ppo = *context.ppo;
      if (context.sampling) options.sampling = *context.sampling;
      options.init = EffectiveInitialDesign(kind, context.init) == InitialDesign::kBted
                         ? ModelBasedTuner::Init::kBted
                         : ModelBasedTuner::Init::kRandom;
      if (context.bted) options.bted = *context.bted;
      if (context.bao) options.bao = *context.bao;
      if (context.plan_size > 0) options.initial_size = options.plan_size = context.plan_size;
      // BAO revises its radius after each of its (smaller) batches.
      if (UsesBao(kind)) options.plan_size = options.bao.batch;
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
