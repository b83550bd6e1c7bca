#include "problems/schedule/transfer.h"

#include <cmath>

#include "core/error.h"

namespace tessel {

TransferRows LoadTransferHistory(const RecordStore& store, const ProblemKey& task, FeatureKind kind,
                                 TransferScope scope) {
  TransferRows history;
  const auto own = MakeOperatorTemplate(ParseWorkloadSpec(task.instance));
  const size_t length = MakeFeaturizer(kind, *own)->Features(own->DefaultConfig()).size();
  for (const auto& [task_id, key] : store.Tasks()) {
    if (key.problem != task.problem || key.evaluator != task.evaluator ||
        key.evaluator_version != task.evaluator_version)
      continue;
    if (scope == TransferScope::kOtherTasksOfThisTarget &&
        (key.instance == task.instance || key.target != task.target))
      continue;
    std::unique_ptr<OperatorTemplate> op;
    try {
      op = MakeOperatorTemplate(ParseWorkloadSpec(key.instance));
    } catch (const Error&) {
      continue;  // a workload this build no longer reads
    }
    if (op->name() != key.evaluator || op->version() != key.evaluator_version) continue;
    const std::unique_ptr<Featurizer> featurizer = MakeFeaturizer(kind, *op);
    std::vector<Config> configs;
    std::vector<double> times_ms;
    for (const MeasurementRecord& record : store.History(task_id)) {
      try {
        configs.push_back(op->space().FromText(record.config));
      } catch (const Error&) {
        continue;
      }
      times_ms.push_back(record.result.ok() ? record.result.value : std::nan(""));
    }
    if (configs.empty()) continue;
    if (featurizer->Features(configs[0]).size() != length) {
      ++history.skipped_tasks;
      continue;
    }
    ++history.tasks;
    for (const Config& config : configs)
      history.rows.features.push_back(featurizer->Features(config));
    const std::vector<float> fitness = Fitness(times_ms);
    history.rows.fitness.insert(history.rows.fitness.end(), fitness.begin(), fitness.end());
  }
  return history;
}

}  // namespace tessel
