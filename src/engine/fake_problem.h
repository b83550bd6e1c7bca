// A test double for the Problem role: an analytic objective over the configuration's
// normalised knob values, configurations that fail by rule, and optional metrics. Lets the
// tuning loop and the strategies be tested without hardware (TVM's DummyRunner).
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "engine/problem.h"

namespace tessel {

class FakeProblem : public Problem {
 public:
  using CostFunction = std::function<double(const std::vector<double>& features)>;
  using FailureRule = std::function<bool(const Config&)>;
  using MetricsFunction = std::function<Metrics(const std::vector<double>& features)>;

  FakeProblem(Space space, CostFunction cost, FailureRule fails = nullptr,
              std::string instance = "fake")
      : space_(std::move(space)),
        cost_(std::move(cost)),
        fails_(std::move(fails)),
        key_{"fake", std::move(instance), "test", "analytic", 1} {}

  // Reports these metrics (declared with metrics()) for every successful evaluation.
  void SetMetrics(std::vector<MetricInfo> declared, MetricsFunction compute) {
    declared_ = std::move(declared);
    metrics_ = std::move(compute);
  }
  void SetDefault(Config config) { default_ = std::move(config); }

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return {"cost", "units", true}; }
  std::vector<MetricInfo> metrics() const override { return declared_; }
  std::optional<Config> DefaultConfig() const override { return default_; }

  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override {
    std::vector<Evaluation> results;
    for (const Config& config : configs) {
      ++evaluated_;
      Evaluation result;
      if (fails_ && fails_(config)) {
        result.status = EvalStatus::kRuntimeError;
        result.error = "injected failure";
      } else {
        const std::vector<double> features = space_.NormalisedFeatures(config);
        result.value = cost_(features);
        if (metrics_) result.metrics = metrics_(features);
      }
      results.push_back(std::move(result));
    }
    return results;
  }

  int evaluated() const { return evaluated_; }

 private:
  Space space_;
  CostFunction cost_;
  FailureRule fails_;
  ProblemKey key_;
  std::vector<MetricInfo> declared_;
  MetricsFunction metrics_;
  std::optional<Config> default_;
  int evaluated_ = 0;
};

}  // namespace tessel
