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

// The task that `score` rates highest, the first of equals; a task scored nullopt takes no
// part. Nullopt when none does.
template <typename Score>
std::optional<int> HighestScoring(const std::vector<TaskProgress>& tasks, Score score) {
  std::optional<int> chosen;
  double highest = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const std::optional<double> value = score(tasks[i]);
    if (value && (!chosen || *value > highest)) {
      chosen = static_cast<int>(i);
      highest = *value;
    }
  }
  return chosen;
}

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
  // The steepest descent of the network's latency: the lowest (most negative) gradient.
  return HighestScoring(tasks, [&options](const TaskProgress& task) -> std::optional<double> {
    if (task.exhausted) return std::nullopt;
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
    return -gradient;
  });
}

bool StoppedByModel(const TaskProgress& task, const PredictedOptions& options) {
  return task.expected_gain && task.low_estimates >= options.patience;
}

std::optional<int> NextPredictedTask(const std::vector<TaskProgress>& tasks,
                                     const PredictedOptions& options) {
  // A pass over the network first, so that with a short first round (whose task's model may
  // have no estimate after it) every task starts before any goes on; the heaviest first, as
  // they hold most of the network's latency.
  const std::optional<int> unstarted =
      HighestScoring(tasks, [](const TaskProgress& task) -> std::optional<double> {
        if (task.exhausted || !task.best_after_round.empty()) return std::nullopt;
        return task.weight * task.flops;
      });
  if (unstarted) return unstarted;
  // Then the tasks whose models have not estimated yet, fewest rounds first, so that one whose
  // plans never give an estimate (all twins, say) cannot take every round.
  const std::optional<int> unestimated =
      HighestScoring(tasks, [](const TaskProgress& task) -> std::optional<double> {
        if (task.exhausted || task.expected_gain) return std::nullopt;
        return -static_cast<double>(task.best_after_round.size());
      });
  if (unestimated) return unestimated;
  // Then the largest expected drop in the network's latency.
  return HighestScoring(tasks, [&options](const TaskProgress& task) -> std::optional<double> {
    if (task.exhausted || StoppedByModel(task, options)) return std::nullopt;
    const double best = task.best_after_round.empty() ? NAN : task.best_after_round.back();
    // Nothing succeeded yet: it promises nothing to compare.
    return std::isfinite(best) ? task.weight * best * *task.expected_gain : 0;
  });
}

}  // namespace tessel
