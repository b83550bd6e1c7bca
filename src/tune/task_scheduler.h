// How a network's measurement budget is shared between its tasks: in equal shares, or round by
// round to the task whose improvement is expected to lower the network's latency most (Ansor's
// gradient task scheduler, without its similar-task term).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tessel {

enum class Allocation { kEqual, kGradient };

// Throws tessel::Error naming the known allocations when the name is unknown.
Allocation AllocationFromName(std::string_view name);

// What the scheduler knows about one task.
struct TaskProgress {
  double weight = 1;  // how often the network runs the task
  int measured = 0;   // measurements so far (resumed ones included)
  // The task's best time after each round it was given (NaN while nothing succeeded).
  std::vector<double> best_after_round;
  bool exhausted = false;  // its space has nothing left to measure
};

struct GradientOptions {
  double alpha = 0.2;  // weight of the measured (backward) gradient against the optimistic one
  int window = 3;      // rounds the backward gradient looks back
};

// Equal shares of `budget` (the first budget % count tasks get one more).
std::vector<int> EqualShares(int budget, int count);

// The task to give the next round to: every task's first round in order, then the one whose
// weight times Ansor's gradient estimate
//   alpha * (g(r) - g(r - window)) / window + (1 - alpha) * (-g(r) / r)
// (g: best time after r rounds) is the most negative. nullopt when every task is exhausted.
std::optional<int> NextGradientTask(const std::vector<TaskProgress>& tasks,
                                    const GradientOptions& options = {});

}  // namespace tessel
