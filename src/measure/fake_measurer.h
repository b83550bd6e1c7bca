// A test double for the Measurer role: an analytic cost over the configuration's normalised
// knob values, with configurations that fail by rule. Lets search and the tuning loop be
// tested without hardware.
#pragma once

#include <functional>

#include "measure/measurer.h"

namespace tessel {

class FakeMeasurer : public Measurer {
 public:
  using CostFunction = std::function<double(const std::vector<double>& features)>;
  using FailureRule = std::function<bool(const Config&)>;

  FakeMeasurer(const Space& space, CostFunction cost, FailureRule fails = nullptr)
      : space_(space), cost_(std::move(cost)), fails_(std::move(fails)) {}

  std::vector<MeasureResult> Measure(const std::vector<Config>& configs) override {
    std::vector<MeasureResult> results;
    for (const Config& config : configs) {
      ++measured_;
      MeasureResult result;
      if (fails_ && fails_(config)) {
        result.status = MeasureStatus::kRuntimeError;
        result.error = "injected failure";
      } else {
        result.time_ms = cost_(space_.NormalisedFeatures(config));
        result.repeats_ms = {result.time_ms};
        result.spread_ms = 0;
      }
      results.push_back(result);
    }
    return results;
  }

  int measured() const { return measured_; }

 private:
  const Space& space_;
  CostFunction cost_;
  FailureRule fails_;
  int measured_ = 0;
};

}  // namespace tessel
