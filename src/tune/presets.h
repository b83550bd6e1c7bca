// The presets: named strategies, one line of a table each. A direct preset names its
// strategy's maker; a model-based one names the roles ModelBasedTuner combines (model_roles.h).
// Adding a strategy: its file pair under tune/ (or search/), one line in kPresets in
// presets.cc, and its test.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "costmodel/featurizer.h"
#include "engine/decision_steps.h"
#include "tune/genetic_tuner.h"
#include "tune/model_based_tuner.h"
#include "tune/model_roles.h"
#include "tune/releq_tuner.h"
#include "tune/strategy.h"

namespace tessel {

// What a strategy may use besides its options: the space, the problem's featurizer (for cost
// models), other tasks' rows to warm-start a cost model (transfer learning; may be null), the
// problem's decision steps (agents that decide step by step; may be null) and the number of
// evaluations the run plans for the task (0 when unknown; strategies that change phase part
// way through, like ConfuciuX's RL then GA, need it).
struct StrategyContext {
  const Space& space;
  const Featurizer* featurizer = nullptr;
  const FeatureRows* history = nullptr;
  const DecisionSteps* steps = nullptr;
  int planned_evaluations = 0;
  // The problem's Problem::Canonical, for strategies that skip twins; may be empty.
  std::function<Config(const Config&)> canonical = nullptr;
};

// What the command line (or a library user) changes from a preset's defaults.
struct StrategyOptions {
  std::optional<DesignKind> design;  // model-based presets: another initial design
  int plan_size = 0;  // model-based presets: initial design and batch size; 0 keeps the preset's
  ModelRoleOptions roles;         // the roles' options (--ppo, --sampling, --bted, --bao)
  GeneticTuner::Options genetic;  // the ga preset's (--ga)
  ReleqTuner::Options releq;      // the releq preset's (--releq)
};

struct Preset;
using StrategyMaker = std::unique_ptr<Strategy> (*)(const Preset& preset,
                                                    const StrategyContext& context,
                                                    const StrategyOptions& options, Rng rng);

struct Preset {
  std::string_view name;
  std::string_view summary;
  StrategyMaker make;
  // Model-based presets only: their roles.
  bool model_based = false;
  ModelBasedTuner::Roles roles;
  // Model-based presets: the initial design's size and the measurements between refits, unless
  // --plan-size says otherwise (0: ModelRoleOptions' 64).
  int plan_size = 0;

  // The plan size a model-based run of this preset uses: --plan-size, else the preset's, else
  // the role options'.
  int plan(const StrategyOptions& options) const {
    if (options.plan_size > 0) return options.plan_size;
    return plan_size > 0 ? plan_size : options.roles.plan_size;
  }

  // The initial design a model-based run of this preset uses.
  DesignKind design(const StrategyOptions& options) const {
    return options.design.value_or(roles.design);
  }
};

const std::vector<Preset>& Presets();
// Whether the preset estimates what is left to gain (Strategy::ExpectedGain), which predicted
// allocation needs.
bool EstimatesGain(const Preset& preset);
// Throws tessel::Error listing the presets when the name is unknown.
const Preset& FindPreset(std::string_view name);
// The names of the presets `wanted` accepts, as "a, b or c" (for error messages).
std::string PresetNames(bool (*wanted)(const Preset&));

// Throws tessel::Error naming the known designs when the name is unknown.
DesignKind DesignKindFromName(std::string_view name);
std::string_view DesignKindName(DesignKind kind);

// Throws tessel::Error when the preset cannot work on this task (grid search over a space too
// large to enumerate, a step-by-step agent on a problem without decision steps) or the options
// are bad: what MakeStrategy would throw, checked cheaply, so that a command can refuse before it
// records anything. The context needs no featurizer.
void CheckPresetFits(const Preset& preset, const StrategyContext& context,
                     const StrategyOptions& options);

// Throws tessel::Error when the preset cannot work on this space (grid search over a space too
// large to enumerate) or the options are bad.
std::unique_ptr<Strategy> MakeStrategy(const Preset& preset, const StrategyContext& context,
                                       const StrategyOptions& options, Rng rng);

}  // namespace tessel
