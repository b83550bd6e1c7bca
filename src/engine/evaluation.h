// What evaluating one configuration gives, for every problem: a status, the objective's value
// and named metrics. Failures are values (a status and a message), never exceptions, so a
// tuning run always goes on (TVM's RunnerResult with its error_msg; Optuna's failed trials).
// This header depends on nothing of Tessel's but core/: the records, the strategies and the
// problems all speak it.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tessel {

enum class EvalStatus {
  kOk,
  kInvalid,       // the configuration is outside the space or breaks its validity rule
  kInfeasible,    // evaluated, but a metric breaks one of the run's constraints
  kCompileError,  // the schedule could not be built
  kRuntimeError,  // the kernel reported an error when run
  kWrongResult,   // the output disagrees with the reference
  kTimeout,       // one run took longer than the time limit
  kCrash,         // the process running the kernel died
  kFailed,        // a replayed measurement that failed (empty, nan or inf time)
  kOutOfMemory,   // the evaluation needed more memory than its limit (--memory-limit)
  // Not evaluated: the run was asked to stop first. Never recorded; the tuning loop drops it.
  kCancelled,
};

std::string_view EvalStatusName(EvalStatus status);
// Throws tessel::Error for an unknown name.
EvalStatus EvalStatusFromName(std::string_view name);

// Named metrics of one evaluation (area, power, energy, ...), in the units the problem
// declares. Sorted by name, so that records and JSON list them in one order.
using Metrics = std::map<std::string, double>;

struct Evaluation {
  EvalStatus status = EvalStatus::kOk;
  std::string error;             // empty when ok; for kInfeasible, the broken constraint
  double value = std::nan("");   // the objective; NaN unless ok or infeasible
  Metrics metrics;               // what the evaluator reports besides the objective
  double spread = std::nan("");  // timed evaluators: max - min of the repeats
  std::vector<double> repeats;   // timed evaluators: every repeat's value
  double compile_ms = 0;         // time spent building what was evaluated

  bool ok() const { return status == EvalStatus::kOk; }
};

// What a problem optimises: its name ("time", "latency", "energy"), unit, and direction.
struct ObjectiveInfo {
  std::string name;
  std::string unit;
  bool minimise = true;
};

// A metric a problem reports besides its objective.
struct MetricInfo {
  std::string name;
  std::string unit;
  std::string meaning;  // one line for `tessel problems`
};

// True when `a` is a better objective value than `b` (NaN is never better, anything beats NaN).
inline bool IsBetter(const ObjectiveInfo& objective, double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return objective.minimise ? a < b : a > b;
}

// A limit on a metric or on the objective: `metric <= limit` (Optuna's constraints, TVM's
// "area budget"). An evaluation that breaks one is infeasible: recorded, never the best.
struct Constraint {
  std::string metric;
  double limit = 0;

  // "area<=1e6" or "power<=2.5"; throws tessel::Error saying what is malformed.
  static Constraint Parse(std::string_view text);
  std::string ToString() const;
};

// Marks `evaluation` infeasible when it is ok and breaks a constraint (naming the first broken
// one in its error), or lacks the constrained metric (a record made before its problem
// reported it). Runs check constraints against the problems' declared metrics first.
void ApplyConstraints(const std::vector<Constraint>& constraints, const ObjectiveInfo& objective,
                      Evaluation& evaluation);

}  // namespace tessel
