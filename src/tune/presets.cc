#include "tune/presets.h"

#include "core/error.h"
#include "tune/confuciux_tuner.h"
#include "tune/random_tuner.h"
#include "tune/reinforce_tuner.h"
#include "tune/releq_tuner.h"

namespace tessel {
namespace {

std::unique_ptr<Strategy> MakeRandom(const Preset&, const StrategyContext& context,
                                     const StrategyOptions&, Rng rng) {
  return std::make_unique<RandomTuner>(context.space, std::move(rng));
}

std::unique_ptr<Strategy> MakeGrid(const Preset&, const StrategyContext& context,
                                   const StrategyOptions&, Rng) {
  return std::make_unique<GridTuner>(context.space);
}

std::unique_ptr<Strategy> MakeGenetic(const Preset&, const StrategyContext& context,
                                      const StrategyOptions& options, Rng rng) {
  return std::make_unique<GeneticTuner>(context.space, options.genetic, std::move(rng));
}

// The problem's decision steps with each step's share of the objective, which ConfuciuX's
// step-by-step tuners cannot work without.
const DecisionSteps& RequireSteps(const StrategyContext& context, std::string_view tuner) {
  if (context.steps == nullptr)
    throw ConfigError("the " + std::string(tuner) +
                      " tuner decides a configuration step by step; use it with a problem that "
                      "has steps, such as --problem accel");
  for (const DecisionStep& step : context.steps->steps)
    if (step.objective_metric.empty())
      throw ConfigError("the " + std::string(tuner) +
                        " tuner rewards each step by its share of the objective, and this "
                        "problem's steps have none; use it with --problem accel");
  return *context.steps;
}

std::unique_ptr<Strategy> MakeReinforce(const Preset& preset, const StrategyContext& context,
                                        const StrategyOptions&, Rng rng) {
  return std::make_unique<ReinforceTuner>(context.space, RequireSteps(context, preset.name),
                                          ReinforceTuner::Options{}, std::move(rng));
}

std::unique_ptr<Strategy> MakeConfuciux(const Preset& preset, const StrategyContext& context,
                                        const StrategyOptions&, Rng rng) {
  return std::make_unique<ConfuciuxTuner>(context.space, RequireSteps(context, preset.name),
                                          context.planned_evaluations, ConfuciuxTuner::Options{},
                                          std::move(rng));
}

// ReLeQ's agent needs steps that report its accuracy and quantization states; the tuner says
// so when they are missing.
std::unique_ptr<Strategy> MakeReleq(const Preset&, const StrategyContext& context,
                                    const StrategyOptions& options, Rng rng) {
  if (context.steps == nullptr)
    throw ConfigError(
        "the releq tuner decides a configuration step by step, layer by layer; use it with a "
        "problem that has steps and reports ReLeQ's accuracy and quantization states, such as "
        "the quant problem");
  return std::make_unique<ReleqTuner>(context.space, *context.steps, options.releq, std::move(rng));
}

std::unique_ptr<Strategy> MakeModelBased(const Preset& preset, const StrategyContext& context,
                                         const StrategyOptions& options, Rng rng) {
  TESSEL_CHECK(context.featurizer != nullptr) << "model-based strategies need a featurizer";
  ModelBasedTuner::Roles roles = preset.roles;
  roles.design = preset.design(options);
  ModelRoleOptions role_options = options.roles;
  // The initial design is one plan: --plan-size or the preset's sets both.
  if (options.plan_size > 0 || preset.plan_size > 0)
    role_options.initial_size = role_options.plan_size = preset.plan(options);
  // BAO revises its radius after each of its (smaller) batches.
  if (roles.search == SearchKind::kBao) role_options.plan_size = role_options.bao.batch;
  auto tuner = std::make_unique<ModelBasedTuner>(context.space, *context.featurizer, roles,
                                                 role_options, std::move(rng));
  if (context.history) tuner->WarmStart(*context.history);
  if (roles.skip_twins && context.canonical) tuner->SkipTwins(context.canonical);
  return tuner;
}

using D = DesignKind;
using M = CostModelKind;
using S = SearchKind;
using L = SelectorKind;

// The presets, in the order the command line lists them.
const std::vector<Preset> kPresets = {
    {"random", "uniform random search without replacement", MakeRandom, false, {}},
    {"grid", "every valid configuration in order", MakeGrid, false, {}},
    {"ga",
     "a genetic algorithm: elitist survivors, uniform crossover, random mutation",
     MakeGenetic,
     false,
     {}},
    {"reinforce",
     "ConfuciuX's REINFORCE agent: an LSTM policy assigns each step's levels, one episode per "
     "configuration",
     MakeReinforce,
     false,
     {}},
    {"confuciux",
     "ConfuciuX: its REINFORCE agent for two thirds of the evaluations, then its GA fine-tunes "
     "the best",
     MakeConfuciux,
     false,
     {}},
    {"releq",
     "ReLeQ's PPO agent: an LSTM policy picks each layer's bitwidth, rewarded by accuracy kept "
     "and bits saved",
     MakeReleq,
     false,
     {}},
    {"autotvm",
     "AutoTVM: XGBoost ranker, simulated annealing, epsilon-greedy plans",
     MakeModelBased,
     true,
     {D::kRandom, M::kXgboost, S::kAnnealing, L::kEpsilonGreedy}},
    {"release",
     "RELEASE: XGBoost ranker, PPO walkers, adaptive sampling",
     MakeModelBased,
     true,
     {D::kRandom, M::kXgboost, S::kPpo, L::kAdaptive}},
    {"rl",
     "RELEASE's ablation: PPO walkers with epsilon-greedy plans",
     MakeModelBased,
     true,
     {D::kRandom, M::kXgboost, S::kPpo, L::kEpsilonGreedy}},
    {"sa-as",
     "RELEASE's ablation: simulated annealing with adaptive sampling",
     MakeModelBased,
     true,
     {D::kRandom, M::kXgboost, S::kAnnealing, L::kAdaptive}},
    {"bted",
     "a BTED initial design, then AutoTVM's loop",
     MakeModelBased,
     true,
     {D::kBted, M::kXgboost, S::kAnnealing, L::kEpsilonGreedy}},
    {"bted-bao",
     "BTED, then BAO: bootstrap ensemble searched in adaptive neighbourhoods",
     MakeModelBased,
     true,
     {D::kBted, M::kBootstrapEnsemble, S::kBao, L::kEpsilonGreedy}},
    {"tessel",
     "the default: bted in plans of 16 that skip twins, with a prior a first plan of its best "
     "of 1,024 uniform draws, and an ensemble regressing speed that says what is left to gain "
     "(for --allocation predicted)",
     MakeModelBased,
     true,
     {D::kBted, M::kXgboost, S::kAnnealing, L::kEpsilonGreedy, true, true, true},
     16},
};

}  // namespace

const std::vector<Preset>& Presets() { return kPresets; }

bool EstimatesGain(const Preset& preset) {
  return preset.model_based && preset.roles.estimates_gain;
}

void CheckPresetFits(const Preset& preset, const StrategyContext& context,
                     const StrategyOptions& options) {
  // The direct strategies check the task when they are built, cheaply, except random search,
  // which enumerates a small space when built and works on any: build one and drop it.
  // Model-based strategies work on any space and check their options when they are parsed.
  if (preset.model_based || preset.make == MakeRandom) return;
  preset.make(preset, context, options, Rng(0));
}

const Preset& FindPreset(std::string_view name) {
  std::string known;
  for (const Preset& preset : kPresets) {
    if (preset.name == name) return preset;
    known += (known.empty() ? "" : ", ") + std::string(preset.name);
  }
  throw ConfigError("unknown tuner '" + std::string(name) + "'; known tuners: " + known);
}

std::string PresetNames(bool (*wanted)(const Preset&)) {
  std::vector<std::string_view> names;
  for (const Preset& preset : kPresets)
    if (wanted(preset)) names.push_back(preset.name);
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += names[i];
  }
  return text;
}

DesignKind DesignKindFromName(std::string_view name) {
  if (name == "random") return DesignKind::kRandom;
  if (name == "bted") return DesignKind::kBted;
  throw ConfigError("unknown initial design '" + std::string(name) + "'; known: random, bted");
}

std::string_view DesignKindName(DesignKind kind) {
  return kind == DesignKind::kBted ? "bted" : "random";
}

std::unique_ptr<Strategy> MakeStrategy(const Preset& preset, const StrategyContext& context,
                                       const StrategyOptions& options, Rng rng) {
  return preset.make(preset, context, options, std::move(rng));
}

}  // namespace tessel
