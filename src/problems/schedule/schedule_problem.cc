#include "problems/schedule/schedule_problem.h"

#include "problems/schedule/target.h"
#include "problems/schedule/transfer.h"

namespace tessel {

ScheduleProblem::ScheduleProblem(const Workload& workload, const LocalMeasurerOptions& measure,
                                 FeatureKind features)
    : ScheduleProblem(MakeOperatorTemplate(workload), measure, features) {}

ScheduleProblem::ScheduleProblem(std::unique_ptr<OperatorTemplate> op_template,
                                 const LocalMeasurerOptions& measure, FeatureKind features)
    : template_(std::move(op_template)),
      measure_(measure),
      features_(features),
      flops_(Flops(template_->workload())),
      key_{kName, WorkloadSpec(template_->workload()), HostTargetKey(measure.threads),
           template_->name(), template_->version()} {
  measure_.Validate();
}

std::vector<MetricInfo> ScheduleProblem::DeclaredMetrics() {
  return {{"gflops", "GFLOP/s", "arithmetic throughput: a multiply-add counts as two FLOPs"}};
}

std::vector<Evaluation> ScheduleProblem::Evaluate(const std::vector<Config>& configs) {
  // Of the configurations with one canonical form, only the first is compiled and run, and
  // only when none was measured before.
  std::vector<Config> canonical;
  std::vector<Config> to_measure;
  std::vector<bool> compiled(configs.size(), false);
  ConfigSet in_batch;
  for (size_t i = 0; i < configs.size(); ++i) {
    canonical.push_back(template_->Canonical(configs[i]));
    if (!measured_.contains(canonical[i]) && in_batch.insert(canonical[i]).second) {
      to_measure.push_back(configs[i]);
      compiled[i] = true;
    }
  }
  std::vector<Evaluation> measured;
  last_build_seconds_ = 0;  // a batch of twins builds nothing
  if (!to_measure.empty()) {
    if (!measurer_) measurer_ = std::make_unique<LocalMeasurer>(*template_, measure_);
    measured = measurer_->Measure(to_measure);
    last_build_seconds_ = measurer_->last_build_seconds();
  }
  std::vector<Evaluation> evaluations;
  evaluations.reserve(configs.size());
  size_t next_measured = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (compiled[i]) {
      Evaluation evaluation = std::move(measured[next_measured++]);
      if (evaluation.ok()) evaluation.metrics["gflops"] = flops_ / evaluation.value / 1e6;
      // A cancelled configuration was not measured: it may be proposed and measured again.
      if (evaluation.status != EvalStatus::kCancelled) measured_.emplace(canonical[i], evaluation);
      evaluations.push_back(std::move(evaluation));
      continue;
    }
    const auto found = measured_.find(canonical[i]);
    if (found == measured_.end()) {
      // Its twin earlier in the batch was cancelled.
      Evaluation cancelled;
      cancelled.status = EvalStatus::kCancelled;
      cancelled.error = kCancelledMessage;
      evaluations.push_back(std::move(cancelled));
      continue;
    }
    Evaluation evaluation = found->second;
    evaluation.compile_ms = 0;  // nothing was compiled for it
    evaluations.push_back(std::move(evaluation));
  }
  return evaluations;
}

double ScheduleProblem::last_build_seconds() const { return last_build_seconds_; }

std::unique_ptr<Featurizer> ScheduleProblem::MakeFeaturizer() const {
  return tessel::MakeFeaturizer(features_, *template_);
}

TransferRows ScheduleProblem::LoadTransferRows(const RecordStore& store,
                                               TransferScope scope) const {
  return LoadTransferHistory(store, key_, features_, scope);
}

}  // namespace tessel
