// The Tuner role: proposes which configurations to measure next and learns from the results.
// The loop in tune_loop.h owns measuring and recording; a tuner never sees the Measurer, so
// the same tuner runs on real hardware, on a replay table or on a fake.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "costmodel/featurizer.h"
#include "costmodel/xgb_cost_model.h"
#include "design/ted.h"
#include "engine/evaluation.h"
#include "sampling/adaptive_sampler.h"
#include "search/ppo_search.h"
#include "space/space.h"
#include "tune/bao_options.h"

namespace tessel {

// One search over the cost model: how many measurements preceded it, how many steps the
// search took to converge (the seeds' Figure 5; for BAO, the candidates it scored), how many
// configurations it planned, and BAO's neighbourhood radius (0 for other searches).
struct SearchRound {
  int measured = 0;
  int steps = 0;
  int planned = 0;
  double radius = 0;
};

class Tuner {
 public:
  virtual ~Tuner() = default;
  // Up to `max_count` valid configurations that were never proposed before; fewer (possibly
  // none) when the space is exhausted.
  virtual std::vector<Config> NextBatch(int max_count) = 0;
  // The results of measuring configurations this tuner proposed, in the same order.
  virtual void Update(const std::vector<Config>& configs,
                      const std::vector<Evaluation>& results) = 0;
  // Measurements of this task from an earlier run, handed over before the first NextBatch
  // when tuning resumes: they are never proposed again, and model-based tuners learn from
  // them as from their own.
  virtual void Resume(const std::vector<Config>& configs,
                      const std::vector<Evaluation>& results) = 0;
  // Wall time spent fitting cost models so far (part of the time in NextBatch and Update).
  virtual double fit_seconds() const { return 0; }
  // The searches over a cost model so far (none for model-free tuners).
  virtual const std::vector<SearchRound>& search_rounds() const {
    static const std::vector<SearchRound> none;
    return none;
  }
};

// autotvm: XGBoost ranker + simulated annealing + epsilon-greedy plans (AutoTVM's preset).
// release: the same ranker + the PPO agent + adaptive sampling (RELEASE); rl: PPO + greedy
// plans; sa-as: simulated annealing + adaptive sampling (the seeds' ablation). bted: a BTED
// initial design + AutoTVM's loop; bted-bao: BTED + BAO's bootstrap ensemble searched in an
// adaptive neighbourhood (seed 001).
enum class TunerKind { kRandom, kGrid, kAutoTvm, kRelease, kRl, kSaAs, kBted, kBtedBao };

// True for the tuners built on a cost model (they need a featurizer and can transfer).
bool IsModelBased(TunerKind kind);
// True for the tuners whose search is the PPO agent (release, rl).
bool UsesPpo(TunerKind kind);
// True for the tuners that select by adaptive sampling (release, sa-as).
bool UsesAdaptiveSampling(TunerKind kind);
// True for the tuners that search with BAO (bted-bao).
bool UsesBao(TunerKind kind);

// The initial design of a model-based tuner: its preset's (BTED for bted and bted-bao,
// random for the others), or one chosen by --init.
enum class InitialDesign { kPreset, kRandom, kBted };
// Throws tessel::Error naming the known designs when the name is unknown.
InitialDesign InitialDesignFromName(std::string_view name);
// The design a model-based tuner of this kind starts with: `requested`, or for kPreset the
// preset's own (never kPreset).
InitialDesign EffectiveInitialDesign(TunerKind kind, InitialDesign requested);

// Throws tessel::Error listing the known tuners when the name is unknown.
TunerKind TunerKindFromName(std::string_view name);
std::string_view TunerKindName(TunerKind kind);

// What a tuner may use besides the space: model-based tuners need a featurizer and may be
// warm-started from other tasks' records (transfer learning).
struct TunerContext {
  const Space& space;
  const Featurizer* featurizer = nullptr;   // required by autotvm
  const FeatureRows* history = nullptr;     // optional: other tasks' rows for transfer
  const PpoSearch::Options* ppo = nullptr;  // optional: the PPO agent's options (release, rl)
  // optional: adaptive sampling's options (release, sa-as)
  const AdaptiveSampler::Options* sampling = nullptr;
  InitialDesign init = InitialDesign::kPreset;
  const BtedOptions* bted = nullptr;  // optional: BTED's options (with a BTED design)
  const BaoOptions* bao = nullptr;    // optional: BAO's options (bted-bao)
  // Model-based presets: the initial design's size and the measurements between refits
  // (AutoTVM's plan_size); 0 keeps the preset's 64. bted-bao's batches stay BAO's own.
  int plan_size = 0;
};

// The tuner draws all its randomness from `rng`. Throws tessel::Error when the tuner cannot
// work on this space (grid search over a space too large to enumerate).
std::unique_ptr<Tuner> MakeTuner(TunerKind kind, const TunerContext& context, Rng rng);

}  // namespace tessel
