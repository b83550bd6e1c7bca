#include "tune/presets.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "engine/fake_problem.h"
#include "space/huge_space_test_util.h"
#include "tune/fake_quant_problem.h"
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

constexpr int kTrials = 40;

// The configurations a run of `kTrials` proposes on `problem` (seed 3), in order.
std::vector<Config> TuneAndCollect(std::unique_ptr<Problem> problem,
                                   const StrategyFactory& strategy) {
  std::vector<TuningTask> tasks;
  tasks.push_back({"task", 1, 0, std::move(problem)});
  TuningOptions options;
  options.trials = kTrials;
  options.seed = 3;
  options.progress = false;
  options.strategy = strategy;
  std::vector<Config> proposed;
  TuningCallbacks callbacks;
  callbacks.on_batch.push_back([&](const TaskBatch& batch) {
    proposed.insert(proposed.end(), batch.configs.begin(), batch.configs.end());
  });
  Tune(tasks, nullptr, options, callbacks);
  return proposed;
}

// The budget spent on valid configurations, none proposed twice.
void ExpectBudgetSpentOnDistinctValidConfigs(const std::vector<Config>& proposed,
                                             const Space& space, std::string_view preset) {
  EXPECT_EQ(proposed.size(), static_cast<size_t>(kTrials)) << preset;
  std::set<Config> distinct(proposed.begin(), proposed.end());
  EXPECT_EQ(distinct.size(), proposed.size()) << preset;
  for (const Config& config : proposed) EXPECT_TRUE(space.IsValid(config)) << preset;
}

// The presets that decide a configuration step by step, on problems with decision steps.
bool NeedsSteps(const Preset& preset) {
  return preset.name == "reinforce" || preset.name == "confuciux" || preset.name == "releq";
}

// A problem with decision steps the preset works on: releq needs ReLeQ's accuracy and
// quantization states, which the quantization-like fake reports.
std::unique_ptr<Problem> StepProblemFor(const Preset& preset) {
  if (preset.name == "releq") return std::make_unique<FakeQuantProblem>();
  return std::make_unique<FakeStepProblem>();
}

// Every preset of the table tunes through the same loop: valid, never repeated proposals,
// the budget spent, and the same choices for the same seed.
TEST(PresetsTest, EveryPresetTunesThroughTheLoop) {
  std::set<std::string_view> names;
  for (const Preset& preset : Presets()) {
    EXPECT_TRUE(names.insert(preset.name).second) << preset.name;
    if (NeedsSteps(preset)) continue;  // StepPresetsTuneThroughTheLoop
    StrategyOptions strategy;
    strategy.plan_size = 8;  // a few refits within the budget
    strategy.roles.bao.batch = 8;
    auto run = [&] {
      return TuneAndCollect(
          std::make_unique<FakeProblem>(SmallSpace(), Valley), [&](const StrategyInputs& inputs) {
            return MakeStrategy(preset, {inputs.problem.space(), &inputs.featurizer}, strategy,
                                inputs.rng);
          });
    };
    const std::vector<Config> proposed = run();
    ExpectBudgetSpentOnDistinctValidConfigs(proposed, SmallSpace(), preset.name);
    EXPECT_EQ(run(), proposed) << preset.name;
  }
}

// The same for the step-by-step presets, on a problem described as decision steps; without
// steps they say what they need.
TEST(PresetsTest, StepPresetsTuneThroughTheLoop) {
  for (const Preset& preset : Presets()) {
    if (!NeedsSteps(preset)) continue;
    const std::unique_ptr<Problem> problem = StepProblemFor(preset);
    try {
      MakeStrategy(preset, {problem->space()}, {}, Rng(1));
      ADD_FAILURE() << preset.name << " accepted a problem without steps";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("step by step"), std::string::npos);
    }
    auto run = [&] {
      return TuneAndCollect(StepProblemFor(preset), [&](const StrategyInputs& inputs) {
        StrategyContext context{inputs.problem.space(), &inputs.featurizer};
        context.steps = inputs.problem.decision_steps();
        context.planned_evaluations = kTrials;
        return MakeStrategy(preset, context, {}, inputs.rng);
      });
    };
    const std::vector<Config> proposed = run();
    ExpectBudgetSpentOnDistinctValidConfigs(proposed, problem->space(), preset.name);
    EXPECT_EQ(run(), proposed) << preset.name;
  }
  // ConfuciuX's phases are shares of the planned evaluations.
  FakeStepProblem problem;
  StrategyContext unplanned{problem.space()};
  unplanned.steps = problem.decision_steps();
  EXPECT_THROW(MakeStrategy(FindPreset("confuciux"), unplanned, {}, Rng(1)), Error);
}

// A preset that cannot work on a task is found out before anything is built for good.
TEST(PresetsTest, CheckPresetFitsRefusesWhatMakeStrategyWould) {
  const Space huge = HugeSpace();
  EXPECT_THROW(CheckPresetFits(FindPreset("grid"), {huge}, {}), Error);
  CheckPresetFits(FindPreset("random"), {huge}, {});
  CheckPresetFits(FindPreset("autotvm"), {huge}, {});
  FakeStepProblem problem;
  EXPECT_THROW(CheckPresetFits(FindPreset("reinforce"), {problem.space()}, {}), Error);
  StrategyContext stepped{problem.space()};
  stepped.steps = problem.decision_steps();
  CheckPresetFits(FindPreset("reinforce"), stepped, {});
  EXPECT_THROW(CheckPresetFits(FindPreset("confuciux"), stepped, {}), Error);  // no --trials
  stepped.planned_evaluations = 30;
  CheckPresetFits(FindPreset("confuciux"), stepped, {});
  // releq needs steps that report ReLeQ's accuracy and quantization states.
  const Preset& releq = FindPreset("releq");
  EXPECT_THROW(CheckPresetFits(releq, {problem.space()}, {}), Error);
  try {
    CheckPresetFits(releq, stepped, {});
    ADD_FAILURE() << "releq accepted steps without ReLeQ's states";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);  // one line
  }
  FakeQuantProblem quant;
  StrategyContext quantized{quant.space()};
  quantized.steps = quant.decision_steps();
  CheckPresetFits(releq, quantized, {});
  quant.mutable_steps().quality_state_metric.clear();
  EXPECT_THROW(CheckPresetFits(releq, quantized, {}), Error);
}

TEST(PresetsTest, NamesAndRolesAreAsDocumented) {
  EXPECT_EQ(PresetNames([](const Preset& p) { return p.model_based; }),
            "autotvm, release, rl, sa-as, bted, bted-bao or tessel");
  EXPECT_FALSE(FindPreset("ga").model_based);
  const Preset& bao = FindPreset("bted-bao");
  EXPECT_EQ(bao.roles.design, DesignKind::kBted);
  EXPECT_EQ(bao.roles.model, CostModelKind::kBootstrapEnsemble);
  EXPECT_EQ(bao.roles.search, SearchKind::kBao);
  EXPECT_EQ(FindPreset("release").roles.selector, SelectorKind::kAdaptive);
  EXPECT_FALSE(FindPreset("grid").model_based);
  // The default: bted's roles in plans of 16, the only preset that estimates its gain.
  const Preset& tessel = FindPreset("tessel");
  EXPECT_EQ(tessel.roles.design, DesignKind::kBted);
  EXPECT_EQ(tessel.roles.search, SearchKind::kAnnealing);
  EXPECT_EQ(tessel.plan_size, 16);
  EXPECT_EQ(PresetNames(EstimatesGain), "tessel");
  EXPECT_THROW(FindPreset("hyperband"), Error);
  EXPECT_EQ(DesignKindFromName(DesignKindName(DesignKind::kBted)), DesignKind::kBted);
  EXPECT_THROW(DesignKindFromName("sobol"), Error);
}

}  // namespace
}  // namespace tessel
