// How a network's measurement budget is shared between its tasks: in equal shares; round by
// round to the task whose improvement is expected to lower the network's latency most (Ansor's
// gradient task scheduler, without its similar-task term); or round by round by what each
// task's own model predicts its next round takes off the network's latency, with tasks stopped
// once their model expects little left (predicted).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessel {

enum class Allocation { kEqual, kGradient, kPredicted };

// Throws tessel::Error naming the known allocations when the name is unknown.
Allocation AllocationFromName(std::string_view name);
// The name AllocationFromName reads.
const char* AllocationName(Allocation allocation);
// Every name AllocationFromName reads, comma-separated: "equal, gradient, predicted".
std::string AllocationNames();

// What the scheduler knows about one task.
struct TaskProgress {
  double weight = 1;  // how often the network runs the task
  double flops = 0;   // work per run (0: unknown), which orders predicted allocation's first pass
  int measured = 0;   // measurements so far (resumed ones included)
  // The task's best time after each round it was given (NaN while nothing succeeded).
  std::vector<double> best_after_round;
  bool exhausted = false;  // its space has nothing left to measure
  // Predicted allocation: the share of its best the task's model expects the next round to
  // remove (Strategy::ExpectedGain); nullopt until its model gives one. And how many of its
  // latest estimates in a row were below PredictedOptions::min_gain.
  std::optional<double> expected_gain;
  int low_estimates = 0;
};

struct GradientOptions {
  double alpha = 0.2;  // weight of the measured (backward) gradient against the optimistic one
  int window = 3;      // rounds the backward gradient looks back
};

struct PredictedOptions {
  // A task stops when its model expects its next round to gain less than this share of its
  // best, `patience` times in a row (one estimate alone is too noisy to stop on:
  // bench/tuning_time/README.md).
  double min_gain = 0.01;
  int patience = 2;

  void Validate() const;  // throws tessel::Error naming the offending option
};

// Equal shares of `budget` (the first budget % count tasks get one more).
std::vector<int> EqualShares(int budget, int count);

// The task to give the next round to: every task's first round in order, then the one whose
// weight times Ansor's gradient estimate
//   alpha * (g(r) - g(r - window)) / window + (1 - alpha) * (-g(r) / r)
// (g: best time after r rounds) is the most negative. nullopt when every task is exhausted.
std::optional<int> NextGradientTask(const std::vector<TaskProgress>& tasks,
                                    const GradientOptions& options = {});

// Predicted allocation: first a first round for every task, the most work in the network
// (weight x flops) first; then a round for each task whose model has no estimate yet, the
// one with the fewest rounds first; then the task whose next round promises the largest drop
// in the network's latency,
//   weight * best * expected_gain,
// among those not stopped (StoppedByModel). (Per measurement, not per second: a task whose
// measurements come cheap, twins answered from the records say, would otherwise take every
// round.) nullopt when
// every task is exhausted or stopped.
std::optional<int> NextPredictedTask(const std::vector<TaskProgress>& tasks,
                                     const PredictedOptions& options = {});

// Whether the task's model expected less than min_gain of its best from another round, the
// last `patience` times it was asked.
bool StoppedByModel(const TaskProgress& task, const PredictedOptions& options);

}  // namespace tessel
