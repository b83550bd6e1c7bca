// The schedule problem: one operator instance (a conv2d or dense workload) whose schedule
// template's knobs are tuned, every configuration JIT-compiled with Halide, checked against
// reference loops and timed on this machine's CPU (the optimizing compiler of AutoTVM and
// RELEASE). Its objective is the kernel's time in ms; it also reports GFLOP/s.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "engine/problem.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/loop_features.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {

class ScheduleProblem : public Problem {
 public:
  static constexpr const char* kName = "schedule";

  // `measure.threads` is part of the key: records never carry over to another thread count.
  ScheduleProblem(const Workload& workload, const LocalMeasurerOptions& measure,
                  FeatureKind features);
  // The same for a template of one's own (a test's kernels that crash, hang or exhaust memory
  // go through the real measurer and tuning loop this way).
  ScheduleProblem(std::unique_ptr<OperatorTemplate> op_template,
                  const LocalMeasurerOptions& measure, FeatureKind features);

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return template_->space(); }
  // Every instance's objective and metrics (also what `tessel problems` lists).
  static ObjectiveInfo Objective() { return {"time", "ms", true}; }
  static std::vector<MetricInfo> DeclaredMetrics();

  ObjectiveInfo objective() const override { return Objective(); }
  std::vector<MetricInfo> metrics() const override { return DeclaredMetrics(); }
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override;
  double last_build_seconds() const override;
  Config Canonical(const Config& config) const override { return template_->Canonical(config); }
  std::optional<Config> DefaultConfig() const override { return template_->DefaultConfig(); }
  std::unique_ptr<Featurizer> MakeFeaturizer() const override;
  TransferRows LoadTransferRows(const RecordStore& store, TransferScope scope) const override;

  const OperatorTemplate& op_template() const { return *template_; }
  double flops() const { return flops_; }

 private:
  std::unique_ptr<OperatorTemplate> template_;
  LocalMeasurerOptions measure_;
  FeatureKind features_;
  double flops_;
  ProblemKey key_;
  // Made on the first evaluation: drawing the data and computing the reference takes a while.
  std::unique_ptr<LocalMeasurer> measurer_;
  // What was measured, by canonical configuration (OperatorTemplate::Canonical): a
  // configuration that compiles to the same code as one measured before gets its evaluation
  // again, without compiling or running anything (compile_ms 0).
  std::unordered_map<Config, Evaluation, ConfigHash> measured_;
  double last_build_seconds_ = -1;  // of the last Evaluate; -1 before the first
};

}  // namespace tessel
