// The Problem role: one instance of a design-space problem, the only thing the tuning loop
// knows about what it tunes. A problem supplies
//   - its space: knobs, values and the validity rule (space/space.h);
//   - a batched evaluator: configurations -> Evaluations {status, objective value, metrics};
//   - the key its records are filed under (engine/problem_key.h);
//   - what it reports: one objective (name, unit, direction) and any number of named metrics;
//   - optionally a default configuration, measured first as the baseline results are
//     compared with, and a featurizer for cost models (knob features unless it knows better).
// Each problem is one folder under src/problems/; the engine knows none of them by name
// (Optuna's objective function, TVM MetaSchedule's TuneContext + Builder + Runner).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/featurizer.h"
#include "engine/decision_steps.h"
#include "engine/evaluation.h"
#include "engine/problem_key.h"
#include "space/space.h"

namespace tessel {

class RecordStore;

// Other tasks' records as feature rows, for warming up a cost model (transfer learning).
struct TransferRows {
  FeatureRows rows;
  int tasks = 0;          // tasks that contributed rows
  int skipped_tasks = 0;  // tasks whose feature vectors do not fit this task's model
};

// Which records a cost model may start from: the other tasks of the same target in the tuning
// database (AutoTVM's load_history), or a prior, a collection of records of many tasks measured
// on any host, the task's own workload included.
enum class TransferScope { kOtherTasksOfThisTarget, kEveryTask };

class Problem {
 public:
  Problem() = default;
  Problem(const Problem&) = delete;  // evaluators hold on to their problem's data
  Problem& operator=(const Problem&) = delete;
  virtual ~Problem() = default;

  virtual const ProblemKey& key() const = 0;
  virtual const Space& space() const = 0;
  virtual ObjectiveInfo objective() const = 0;
  virtual std::vector<MetricInfo> metrics() const { return {}; }

  // One Evaluation per configuration, in order; every configuration is valid in space().
  // Failures are statuses, never exceptions.
  virtual std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) = 0;
  // Wall seconds the last Evaluate spent building what it evaluated (less than the sum of
  // compile_ms when builds run in parallel); negative when unknown, and then the sum of
  // compile_ms stands for it.
  virtual double last_build_seconds() const { return -1; }

  // True when evaluating a configuration again gives the same result (an analytical model, an
  // accuracy measured on fixed weights and data): the tuning loop then takes a configuration's
  // evaluation from any earlier run of the same task in the records instead of evaluating it
  // again, as ReLeQ caches its accuracies. False for timed measurements, whose repeats differ.
  virtual bool repeatable() const { return false; }

  // The one configuration that stands for every configuration evaluating exactly like this
  // one (a schedule whose knobs differ only where they cannot change the code: twins). A
  // strategy that knows it need not propose a twin of what it measured.
  virtual Config Canonical(const Config& config) const { return config; }

  // A hand-written reasonable configuration, evaluated first when a run asks for it.
  virtual std::optional<Config> DefaultConfig() const { return std::nullopt; }

  // The features cost models see. The problem must outlive it.
  virtual std::unique_ptr<Featurizer> MakeFeaturizer() const {
    return std::make_unique<KnobFeaturizer>(space());
  }

  // The configuration as a sequence of decisions (engine/decision_steps.h), for agents that
  // decide step by step; null when the problem is not built that way.
  virtual const DecisionSteps* decision_steps() const { return nullptr; }

  // Rows from other tasks' records in `store` that a cost model for this task may start from;
  // empty when the problem has no notion of related tasks.
  virtual TransferRows LoadTransferRows(const RecordStore& store, TransferScope scope) const {
    (void)store;
    (void)scope;
    return {};
  }
};

}  // namespace tessel
