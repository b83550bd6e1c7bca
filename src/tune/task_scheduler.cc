#include "tune/task_scheduler.h"

#include <cmath>
#include <string>
#include <utility>

#include "core/error.h"

namespace tessel {

namespace {

// Every allocation with the name the command line gives it, in the order the errors list them.
constexpr std::pair<Allocation, const char*> kAllocationNames[] = {
    {Allocation::kEqual, "equal"},
    {Allocation::kGradient, "gradient"},
    {Allocation::kPredicted, "predicted"},
};

}  // namespace

Allocation AllocationFromName(std::string_view name) {
  for (const auto& [allocation, known] : kAllocationNames)
    if (name == known) return allocation;
  throw ConfigError("unknown allocation '" + std::string(name) + "'; known: " + AllocationNames());
}

const char* AllocationName(Allocation allocation) {
  for (const auto& [known, name] : kAllocationNames)
    if (allocation == known) return name;
  return "?";
}

std::string AllocationNames() {
  std::string names;
  for (const auto& [allocation, name] : kAllocationNames)
    names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

void PredictedOptions::Validate() const {
  if (!(min_gain >= 0 && min_gain < 1))
    throw ConfigError("--min-gain is a share of a task's best time: a number from 0 to below 1");
  if (patience < 1) throw ConfigError("a task's patience must be at least one estimate");
}

std::vector<int> EqualShares(int budget, int count) {
  std::vector<int> shares(count, count > 0 ? budget / count : 0);
  for (int i = 0; i < count && i < budget % count; ++i) ++shares[i];
  return shares;
}

std::optional<int> NextGradientTask(const std::vector<TaskProgress>& tasks,
                                    const GradientOptions& options) {
  // Warm-up: a round for every task before any is compared.
  for (size_t i = 0; i < tasks.size(); ++i)
    if (!tasks[i].exhausted && tasks[i].best_after_round.empty()) return static_cast<int>(i);
  std::optional<int> chosen;
  double lowest = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskProgress& task = tasks[i];
    if (task.exhausted) continue;
    const std::vector<double>& best = task.best_after_round;
    const double now = best.back();
    double gradient = 0;  // a task that has not succeeded yet promises nothing to compare
    if (std::isfinite(now)) {
      const int rounds = static_cast<int>(best.size());
      double backward = 0;
      if (rounds > options.window && std::isfinite(best[rounds - 1 - options.window]))
        backward = (now - best[rounds - 1 - options.window]) / options.window;
      const double forward = -now / rounds;  // optimistic: another round helps as much as each did
      gradient = task.weight * (options.alpha * backward + (1 - options.alpha) * forward);
    }
    if (!chosen || gradient < lowest) {
      chosen = static_cast<int>(i);
      lowest = gradient;
    }
  }
  return chosen;
}

bool StoppedByModel(const TaskProgress& task, const PredictedOptions& options) {
  return task.expected_gain && task.low_estimates >= options.patience;
}

std::optional<int> NextPredictedTask(const std::vector<TaskProgress>& tasks,
                                     const PredictedOptions& options) {
  // A pass over the network first, so that with a short first round (whose task's model may
  // have no estimate after it) every task starts before any goes on; the heaviest first, as
  // they hold most of the network's latency.
  std::optional<int> unstarted;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskProgress& task = tasks[i];
    if (task.exhausted || !task.best_after_round.empty()) continue;
    if (!unstarted || task.weight * task.flops > tasks[*unstarted].weight * tasks[*unstarted].flops)
      unstarted = static_cast<int>(i);
  }
  if (unstarted) return unstarted;
  // Then the tasks whose models have not estimated yet, fewest rounds first, so that one whose
  // plans never give an estimate (all twins, say) cannot take every round.
  std::optional<int> unestimated;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskProgress& task = tasks[i];
    if (task.exhausted || task.expected_gain) continue;
    if (!unestimated || task.best_after_round.size() < tasks[*unestimated].best_after_round.size())
      unestimated = static_cast<int>(i);
  }
  if (unestimated) return unestimated;
  std::optional<int> chosen;
  double largest = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskProgress& task = tasks[i];
    if (task.exhausted || StoppedByModel(task, options)) continue;
    const double best = task.best_after_round.empty() ? NAN : task.best_after_round.back();
    // Nothing succeeded yet: it promises nothing to compare.
    const double promise = std::isfinite(best) ? task.weight * best * *task.expected_gain : 0;
    if (!chosen || promise > largest) {
      chosen = static_cast<int>(i);
      largest = promise;
    }
  }
  return chosen;
}

}  // namespace tessel
