#include "tune/task_scheduler.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

TaskProgress Task(double weight, std::vector<double> best, bool exhausted = false) {
  TaskProgress task;
  task.weight = weight;
  task.best_after_round = std::move(best);
  task.measured = static_cast<int>(task.best_after_round.size()) * 16;
  task.exhausted = exhausted;
  return task;
}

TEST(TaskSchedulerTest, EqualSharesSplitTheRemainderFirst) {
  EXPECT_EQ(EqualShares(10, 4), (std::vector<int>{3, 3, 2, 2}));
  EXPECT_EQ(EqualShares(8, 4), (std::vector<int>{2, 2, 2, 2}));
  EXPECT_EQ(AllocationFromName("gradient"), Allocation::kGradient);
  EXPECT_THROW(AllocationFromName("fair"), Error);
}

TEST(TaskSchedulerTest, EveryTaskGetsAFirstRoundInOrder) {
  std::vector<TaskProgress> tasks = {Task(1, {2.0}), Task(1, {}), Task(5, {}, true), Task(1, {})};
  EXPECT_EQ(NextGradientTask(tasks), 1);
  tasks[1].best_after_round = {1.0};
  EXPECT_EQ(NextGradientTask(tasks), 3);  // the exhausted task is skipped
}

TEST(TaskSchedulerTest, PrefersTheTaskThatWeighsMostOnTheNetwork) {
  // The same layer time, but one task runs four times per inference.
  EXPECT_EQ(NextGradientTask({Task(1, {2.0}), Task(4, {2.0})}), 1);
  // The slower of two equal-weight tasks, after as many rounds.
  EXPECT_EQ(NextGradientTask({Task(1, {3.0, 3.0}), Task(1, {1.0, 1.0})}), 0);
}

TEST(TaskSchedulerTest, TasksThatStillImproveWinOverTasksThatStalled) {
  // Both at 1 ms after five rounds; the first fell from 2 ms in its last three rounds, the
  // second has not moved.
  const TaskProgress improving = Task(1, {2.0, 2.0, 1.8, 1.4, 1.0});
  const TaskProgress stalled = Task(1, {1.0, 1.0, 1.0, 1.0, 1.0});
  EXPECT_EQ(NextGradientTask({stalled, improving}), 1);
  // A stalled task is still chosen when nothing else is left.
  EXPECT_EQ(NextGradientTask({stalled, Task(1, {1.0}, true)}), 0);
  EXPECT_EQ(NextGradientTask({Task(1, {1.0}, true)}), std::nullopt);
}

TEST(TaskSchedulerTest, ATaskWithoutASuccessYetIsNotPreferred) {
  EXPECT_EQ(NextGradientTask({Task(1, {std::nan("")}), Task(1, {0.5})}), 1);
}

// A task whose model expects `gain` from its next round.
TaskProgress Predicted(double weight, double best, std::optional<double> gain) {
  TaskProgress task = Task(weight, {best});
  task.expected_gain = gain;
  return task;
}

TEST(TaskSchedulerTest, PredictedAllocationAsksEveryModelFirstThenFollowsTheLargestDrop) {
  EXPECT_EQ(AllocationFromName("predicted"), Allocation::kPredicted);
  // The second task has no estimate yet: its round comes first.
  EXPECT_EQ(NextPredictedTask({Predicted(1, 2.0, 0.5), Predicted(1, 2.0, std::nullopt)}), 1);
  // 1 x 2 ms x 5% = 0.1 ms against 4 x 1 ms x 5% = 0.2 ms off the network.
  EXPECT_EQ(NextPredictedTask({Predicted(1, 2.0, 0.05), Predicted(4, 1.0, 0.05)}), 1);
  // 1 x 2 ms x 15% = 0.3 ms against 4 x 1 ms x 5% = 0.2 ms.
  EXPECT_EQ(NextPredictedTask({Predicted(1, 2.0, 0.15), Predicted(4, 1.0, 0.05)}), 0);
  // A task with nothing that succeeded yet comes last.
  EXPECT_EQ(NextPredictedTask({Predicted(1, NAN, 0.5), Predicted(1, 1.0, 0.02)}), 1);
}

TEST(TaskSchedulerTest, PredictedAllocationStartsEveryTaskBeforeAskingForEstimates) {
  // The first task had a (short) first round and has no estimate yet; the third has not
  // started: it comes before the first gets its second round.
  std::vector<TaskProgress> tasks = {Predicted(1, 2.0, std::nullopt), Predicted(1, 2.0, 0.5),
                                     Task(1, {})};
  EXPECT_EQ(NextPredictedTask(tasks), 2);
  tasks[2] = Predicted(1, 2.0, 0.5);
  EXPECT_EQ(NextPredictedTask(tasks), 0);
  // The first pass takes the most work in the network first: 3 x 1 GFLOP, then 2 GFLOP, then
  // the task whose work is unknown.
  std::vector<TaskProgress> unstarted = {Task(1, {}), Task(1, {}), Task(3, {})};
  unstarted[1].flops = 2e9;
  unstarted[2].flops = 1e9;
  EXPECT_EQ(NextPredictedTask(unstarted), 2);
  unstarted[2].best_after_round = {1.0};
  EXPECT_EQ(NextPredictedTask(unstarted), 1);
  unstarted[1].best_after_round = {1.0};
  EXPECT_EQ(NextPredictedTask(unstarted), 0);
  // Without estimates, the task with the fewest rounds goes on first.
  std::vector<TaskProgress> unestimated = {Task(1, {2.0, 1.5}), Task(1, {2.0})};
  EXPECT_EQ(NextPredictedTask(unestimated), 1);
}

TEST(TaskSchedulerTest, PredictedAllocationStopsTasksWithLittleLeftToGain) {
  const PredictedOptions options;  // 1%, twice in a row
  TaskProgress done = Predicted(8, 5.0, 0.004);
  done.low_estimates = 1;
  EXPECT_FALSE(StoppedByModel(done, options));  // one low estimate is not enough
  EXPECT_EQ(NextPredictedTask({done, Predicted(1, 1.0, 0.02)}, options), 0);
  done.low_estimates = 2;
  EXPECT_TRUE(StoppedByModel(done, options));
  EXPECT_FALSE(StoppedByModel(Predicted(1, 1.0, std::nullopt), options));
  // However much the stopped task weighs, the one with 2% left gets the round.
  EXPECT_EQ(NextPredictedTask({done, Predicted(1, 1.0, 0.02)}, options), 1);
  // When every task is stopped or exhausted, nothing is left to give rounds to.
  EXPECT_EQ(NextPredictedTask({done, Task(1, {1.0}, true)}, options), std::nullopt);
  EXPECT_THROW((PredictedOptions{1.0}.Validate()), Error);
  EXPECT_THROW((PredictedOptions{-0.1}.Validate()), Error);
  EXPECT_THROW((PredictedOptions{0.01, 0}.Validate()), Error);
}

}  // namespace
}  // namespace tessel
