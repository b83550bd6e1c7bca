// How a network's measurement budget is shared between its tasks: in equal shares; round by
// round to the task whose improvement is expected to lower the network's latency most (Ansor's
// gradient task scheduler, without its similar-task term); or round by round by what each
// task's own model predicts its next round gains, per second of tuning, with tasks stopped once
// their model expects little left (predicted).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tessel {

enum class Allocation { kEqual, kGradient, kPredicted };

// Throws tessel::Error naming the known allocations when the name is unknown.
Allocation AllocationFromName(std::string_view name);

// What the scheduler knows about one task.
struct TaskProgress {
  double weight = 1;  // how often the network runs the task
  int measured = 0;   // measurements so far (resumed ones included)
  // The task's best time after each round it was given (NaN while nothing succeeded).
  std::vector<double> best_after_round;
  bool exhausted = false;  // its space has nothing left to measure
  // Predicted allocation: the share of its best the task's model expects the next round to
  // remove (Strategy::ExpectedGain); nullopt until its model gives one.
  std::optional<double> expected_gain;
  double seconds = 0;  // wall time the task took so far
};

struct GradientOptions {
  double alpha = 0.2;  // weight of the measured (backward) gradient against the optimistic one
  int window = 3;      // rounds the backward gradient looks back
};

struct PredictedOptions {
  // A task stops when its model expects its next round to gain less than this share of its
  // best.
  double min_gain = 0.01;

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

// Predicted allocation: first, in order, a round for each task whose model has no estimate
// yet; then the task whose next round promises the largest drop in the network's latency per
// second of tuning,
//   weight * best * expected_gain / (seconds / measured),
// among those whose expected gain is at least min_gain (the others are stopped). nullopt when
// every task is exhausted or stopped.
std::optional<int> NextPredictedTask(const std::vector<TaskProgress>& tasks,
                                     const PredictedOptions& options = {});

// Whether the task's model expects less than min_gain of its best from another round.
bool StoppedByModel(const TaskProgress& task, const PredictedOptions& options);

}  // namespace tessel
