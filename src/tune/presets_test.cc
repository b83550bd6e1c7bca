#include "tune/presets.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "engine/fake_problem.h"
#include "tune/fake_step_problem.h"
#include "tune/tuning.h"

namespace tessel {
namespace {

// 12 x 12 configurations, a third of them invalid.
Space SmallSpace() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 12; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  return Space(knobs, [](const Space&, const Config& c) { return (c[0] + c[1]) % 3 != 0; });
}

double Valley(const std::vector<double>& f) { return 1 + (f[0] - 0.3) * (f[0] - 0.3) + f[1]; }

// The presets that decide a configuration step by step, on problems with decision steps.
bool NeedsSteps(const Preset& preset) {
  return preset.name == "reinforce" || preset.name == "confuciux";
}

// Every preset of the table tunes through the same loop: valid, never repeated proposals,
// the budget spent, and the same choices for the same seed.
TEST(PresetsTest, EveryPresetTunesThroughTheLoop) {
  std::set<std::string_view> names;
  for (const Preset& preset : Presets()) {
    EXPECT_TRUE(names.insert(preset.name).second) << preset.name;
    if (NeedsSteps(preset)) continue;  // StepPresetsTuneThroughTheLoop
    auto run = [&] {
      std::vector<TuningTask> tasks;
      tasks.push_back({"small", 1, 0, std::make_unique<FakeProblem>(SmallSpace(), Valley)});
      TuningOptions options;
      options.trials = 40;
      options.seed = 3;
      options.progress = false;
      StrategyOptions strategy;
      strategy.plan_size = 8;  // a few refits within the budget
      strategy.roles.bao.batch = 8;
      options.strategy = [&](const StrategyInputs& inputs) {
        return MakeStrategy(preset, {inputs.problem.space(), &inputs.featurizer}, strategy,
                            inputs.rng);
      };
      std::vector<Config> proposed;
      TuningCallbacks callbacks;
      callbacks.on_batch.push_back([&](const TaskBatch& batch) {
        proposed.insert(proposed.end(), batch.configs.begin(), batch.configs.end());
      });
      Tune(tasks, nullptr, options, callbacks);
      return proposed;
    };
    const std::vector<Config> proposed = run();
    EXPECT_EQ(proposed.size(), 40u) << preset.name;
    std::set<Config> distinct(proposed.begin(), proposed.end());
    EXPECT_EQ(distinct.size(), proposed.size()) << preset.name;
    for (const Config& config : proposed) EXPECT_TRUE(SmallSpace().IsValid(config)) << preset.name;
    EXPECT_EQ(run(), proposed) << preset.name;
  }
}

// The same for the step-by-step presets, on a problem described as decision steps; without
// steps they say what they need.
TEST(PresetsTest, StepPresetsTuneThroughTheLoop) {
  for (const Preset& preset : Presets()) {
    if (!NeedsSteps(preset)) continue;
    FakeStepProblem problem;
    try {
      MakeStrategy(preset, {problem.space()}, {}, Rng(1));
      ADD_FAILURE() << preset.name << " accepted a problem without steps";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("step by step"), std::string::npos);
    }
    auto run = [&] {
      std::vector<TuningTask> tasks;
      tasks.push_back({"steps", 1, 0, std::make_unique<FakeStepProblem>()});
      TuningOptions options;
      options.trials = 40;
      options.seed = 3;
      options.progress = false;
      options.strategy = [&](const StrategyInputs& inputs) {
        StrategyContext context{inputs.problem.space(), &inputs.featurizer};
        context.steps = inputs.problem.decision_steps();
        context.planned_evaluations = options.trials;
        return MakeStrategy(preset, context, {}, inputs.rng);
      };
      std::vector<Config> proposed;
      TuningCallbacks callbacks;
      callbacks.on_batch.push_back([&](const TaskBatch& batch) {
        proposed.insert(proposed.end(), batch.configs.begin(), batch.configs.end());
      });
      Tune(tasks, nullptr, options, callbacks);
      return proposed;
    };
    const std::vector<Config> proposed = run();
    EXPECT_EQ(proposed.size(), 40u) << preset.name;
    std::set<Config> distinct(proposed.begin(), proposed.end());
    EXPECT_EQ(distinct.size(), proposed.size()) << preset.name;
    for (const Config& config : proposed) EXPECT_TRUE(problem.space().IsValid(config));
    EXPECT_EQ(run(), proposed) << preset.name;
  }
  // ConfuciuX's phases are shares of the planned evaluations.
  FakeStepProblem problem;
  StrategyContext unplanned{problem.space()};
  unplanned.steps = problem.decision_steps();
  EXPECT_THROW(MakeStrategy(FindPreset("confuciux"), unplanned, {}, Rng(1)), Error);
}

TEST(PresetsTest, NamesAndRolesAreAsDocumented) {
  EXPECT_EQ(PresetNames([](const Preset& p) { return p.model_based; }),
            "autotvm, release, rl, sa-as, bted or bted-bao");
  EXPECT_FALSE(FindPreset("ga").model_based);
  const Preset& bao = FindPreset("bted-bao");
  EXPECT_EQ(bao.roles.design, DesignKind::kBted);
  EXPECT_EQ(bao.roles.model, CostModelKind::kBootstrapEnsemble);
  EXPECT_EQ(bao.roles.search, SearchKind::kBao);
  EXPECT_EQ(FindPreset("release").roles.selector, SelectorKind::kAdaptive);
  EXPECT_FALSE(FindPreset("grid").model_based);
  EXPECT_THROW(FindPreset("hyperband"), Error);
  EXPECT_EQ(DesignKindFromName(DesignKindName(DesignKind::kBted)), DesignKind::kBted);
  EXPECT_THROW(DesignKindFromName("sobol"), Error);
}

}  // namespace
}  // namespace tessel
