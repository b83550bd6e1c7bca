#include "problems/schedule/transfer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "problems/schedule/workload.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

ProblemKey TaskKey(const std::string& workload, const std::string& target) {
  const auto op = MakeOperatorTemplate(ParseWorkloadSpec(workload));
  return ProblemKey{"schedule", workload, target, op->name(), op->version()};
}

// Appends `count` random valid configurations of the task, measured `value(i)` ms (NaN: a
// runtime error).
void AppendRecords(RecordStore& store, int64_t run, const ProblemKey& key, int count,
                   const std::function<double(int)>& value, Rng& rng) {
  const auto op = MakeOperatorTemplate(ParseWorkloadSpec(key.instance));
  const int64_t task = store.EnsureTask(key, {"time", "ms", true});
  std::vector<MeasurementRecord> batch;
  for (int i = 0; i < count; ++i) {
    MeasurementRecord record;
    record.task_id = task;
    record.run_id = run;
    record.config = op->space().ToText(*op->space().SampleValid(rng));
    record.result.value = value(i);
    record.result.status =
        std::isnan(record.result.value) ? EvalStatus::kRuntimeError : EvalStatus::kOk;
    batch.push_back(record);
  }
  store.Append(batch);
}

// History comes only from other tasks of the same template and target, featurized by their
// own templates, with fitness normalised per task.
TEST(TransferTest, LoadsOtherTasksOfTheSameTemplateAndTarget) {
  const fs::path path = fs::temp_directory_path() / ("tessel_transfer_" + std::to_string(getpid()));
  fs::remove(path);
  {
    RecordStore store(path.string());
    const std::string here = "conv2d:c=8,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1";
    const std::string other = "conv2d:c=16,h=8,w=8,k=32,r=1,s=1";
    const int64_t run = store.BeginRun({"random", 1, "test"});
    Rng rng(3);
    auto append = [&](const ProblemKey& task_key, int count, double slowest_ms) {
      AppendRecords(
          store, run, task_key, count,
          [slowest_ms](int i) { return i == 0 ? std::nan("") : slowest_ms / i; }, rng);
    };
    append(TaskKey(here, "cpu-a"), 5, 1.0);
    append(TaskKey(other, "cpu-a"), 7, 60.0);  // the history: 7 rows
    append(TaskKey(other, "cpu-b"), 4, 1.0);   // another target: ignored
    ProblemKey foreign = TaskKey(other, "cpu-a");
    foreign.evaluator = "dense_cpu";
    store.EnsureTask(foreign,
                     {"time", "ms", true});  // another template: ignored (and has no records)

    for (FeatureKind kind : {FeatureKind::kKnob, FeatureKind::kLoop, FeatureKind::kBoth}) {
      const TransferRows history = LoadTransferHistory(store, TaskKey(here, "cpu-a"), kind,
                                                       TransferScope::kOtherTasksOfThisTarget);
      EXPECT_EQ(history.tasks, 1);
      ASSERT_EQ(history.rows.features.size(), 7u);
      ASSERT_EQ(history.rows.fitness.size(), 7u);
      EXPECT_EQ(history.rows.fitness[0], 0.f);         // the failure
      EXPECT_FLOAT_EQ(history.rows.fitness[6], 1.f);   // the task's best
      EXPECT_FLOAT_EQ(history.rows.fitness[3], 0.5f);  // 60/3 against 60/6
      // Features have the length of this task's own featurizer, so one model fits both.
      const auto op = MakeOperatorTemplate(ParseWorkloadSpec(here));
      const auto featurizer = MakeFeaturizer(kind, *op);
      EXPECT_EQ(history.rows.features[0].size(), featurizer->Features(op->DefaultConfig()).size());
    }
  }
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
}

// A prior takes every task of the template, on any target and the task's own workload too,
// but only rows its model can read: a depthwise layer's knob features are longer (its `vec`
// has other choices), its loop features are not.
TEST(TransferTest, APriorTakesEveryTaskWhoseFeaturesFit) {
  const fs::path path =
      fs::temp_directory_path() / ("tessel_transfer_prior_" + std::to_string(getpid()));
  fs::remove(path);
  {
    RecordStore store(path.string());
    const std::string here = "conv2d:c=8,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1";
    const std::string depthwise = "conv2d:c=32,h=16,w=16,k=32,r=3,s=3,stride=1,pad=1,groups=32";
    const int64_t run = store.BeginRun({"random", 1, "test"});
    Rng rng(4);
    auto append = [&](const std::string& workload, const std::string& target, int count) {
      AppendRecords(
          store, run, TaskKey(workload, target), count, [](int i) { return 1.0 + i; }, rng);
    };
    append(here, "cpu-a", 3);       // the task itself
    append(here, "cpu-b", 4);       // on another host
    append(depthwise, "cpu-b", 5);  // another shape, longer knob features
    const ProblemKey key = TaskKey(here, "cpu-a");

    const TransferRows loop =
        LoadTransferHistory(store, key, FeatureKind::kLoop, TransferScope::kEveryTask);
    EXPECT_EQ(loop.tasks, 3);
    EXPECT_EQ(loop.skipped_tasks, 0);
    EXPECT_EQ(loop.rows.features.size(), 12u);
    const TransferRows knob =
        LoadTransferHistory(store, key, FeatureKind::kKnob, TransferScope::kEveryTask);
    EXPECT_EQ(knob.tasks, 2);
    EXPECT_EQ(knob.skipped_tasks, 1);
    EXPECT_EQ(knob.rows.features.size(), 7u);
    // The database's other tasks of this target: none.
    EXPECT_EQ(
        LoadTransferHistory(store, key, FeatureKind::kLoop, TransferScope::kOtherTasksOfThisTarget)
            .tasks,
        0);
  }
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
}

}  // namespace
}  // namespace tessel
