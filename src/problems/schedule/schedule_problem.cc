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
  if (!measurer_) measurer_ = std::make_unique<LocalMeasurer>(*template_, measure_);
  std::vector<Evaluation> evaluations = measurer_->Measure(configs);
  for (Evaluation& evaluation : evaluations)
    if (evaluation.ok()) evaluation.metrics["gflops"] = flops_ / evaluation.value / 1e6;
  return evaluations;
}

double ScheduleProblem::last_build_seconds() const {
  return measurer_ ? measurer_->last_build_seconds() : -1;
}

std::unique_ptr<Featurizer> ScheduleProblem::MakeFeaturizer() const {
  return tessel::MakeFeaturizer(features_, *template_);
}

TransferRows ScheduleProblem::LoadTransferRows(const RecordStore& store) const {
  return LoadTransferHistory(store, key_, features_);
}

}  // namespace tessel
