// A test double for ReLeQ's quantization problem in miniature: one decision step per layer,
// each setting the layer's weight bitwidth bits.L from {2, ..., 8}. Its accuracy falls with
// fewer bits in a known way, layer by layer: a layer of sensitivity s at b bits costs
// s x 2^(2 - b) of the float accuracy, so a sensitive layer needs many bits and a robust one
// few. Every evaluation reports ReLeQ's two states as the real problem does: `accuracy_state`
// (the accuracy over the float one) and `quantization_state` (the layers' bits weighted by their
// cost, over every layer at 8 bits). The objective is the quantization state; an evaluation whose
// accuracy state is under `min_accuracy_state` is infeasible (with its metrics, as the loop marks
// a broken accuracy constraint), and configurations a rule declares broken fail without metrics
// (as an evaluation that crashed would).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/problem.h"

namespace tessel {

class FakeQuantProblem : public Problem {
 public:
  static constexpr int kMinBits = 2;
  static constexpr int kMaxBits = 8;

  struct Layer {
    double cost;         // the layer's weight in the quantization state (its size and MACs)
    double sensitivity;  // the share of accuracy the layer loses at 2 bits
    double spread;       // its weights' standard deviation, for the features
  };
  // True when evaluating these bits fails.
  using Broken = std::function<bool(const std::vector<int>& bits)>;

  // LeNet-like by default: a sensitive first convolution, a big robust fully connected layer.
  explicit FakeQuantProblem(std::vector<Layer> layers = {{0.5, 0.3, 0.18},
                                                         {25, 0.04, 0.04},
                                                         {400, 0.02, 0.02},
                                                         {5, 0.15, 0.07}},
                            double min_accuracy_state = 0.9, Broken broken = nullptr)
      : layers_(std::move(layers)),
        min_accuracy_state_(min_accuracy_state),
        broken_(std::move(broken)),
        space_(Knobs(layers_.size())),
        key_{"fake-quant", "layers", "test", "analytic", 1} {
    double max_cost = 0, max_spread = 0;
    for (const Layer& layer : layers_) {
      max_cost = std::max(max_cost, layer.cost);
      max_spread = std::max(max_spread, layer.spread);
    }
    const double last = std::max<double>(1, static_cast<double>(layers_.size() - 1));
    for (size_t layer = 0; layer < layers_.size(); ++layer) {
      DecisionStep step;
      step.features = {static_cast<double>(layer) / last, layers_[layer].cost / max_cost,
                       layers_[layer].spread / max_spread};
      step.knobs = {layer};
      step.levels = {{0, 1, 2, 3, 4, 5, 6}};
      steps_.steps.push_back(std::move(step));
    }
    steps_.quality_state_metric = "accuracy_state";
    steps_.cost_state_metric = "quantization_state";
  }

  static int Bits(const Config& config, size_t layer) { return config[layer] + kMinBits; }
  std::vector<int> Bits(const Config& config) const {
    std::vector<int> bits;
    for (size_t layer = 0; layer < layers_.size(); ++layer) bits.push_back(Bits(config, layer));
    return bits;
  }

  double AccuracyState(const std::vector<int>& bits) const {
    double lost = 0;
    for (size_t layer = 0; layer < layers_.size(); ++layer)
      lost += layers_[layer].sensitivity * std::pow(2.0, kMinBits - bits[layer]);
    return std::max(0.0, 1 - lost);
  }
  double QuantizationState(const std::vector<int>& bits) const {
    double weighted = 0, most = 0;
    for (size_t layer = 0; layer < layers_.size(); ++layer) {
      weighted += layers_[layer].cost * bits[layer];
      most += layers_[layer].cost * kMaxBits;
    }
    return weighted / most;
  }

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return {"quantization_state", "fraction", true}; }
  const DecisionSteps* decision_steps() const override { return &steps_; }
  DecisionSteps& mutable_steps() { return steps_; }

  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override {
    std::vector<Evaluation> results;
    for (const Config& config : configs) results.push_back(EvaluateOne(config));
    evaluated_ += static_cast<int>(configs.size());
    return results;
  }

  Evaluation EvaluateOne(const Config& config) const {
    Evaluation result;
    const std::vector<int> bits = Bits(config);
    if (broken_ && broken_(bits)) {
      result.status = EvalStatus::kFailed;
      result.error = "the quantized network could not be evaluated";
      return result;
    }
    result.metrics["accuracy_state"] = AccuracyState(bits);
    result.metrics["quantization_state"] = QuantizationState(bits);
    result.value = result.metrics["quantization_state"];
    if (result.metrics["accuracy_state"] < min_accuracy_state_) {
      result.status = EvalStatus::kInfeasible;
      result.error = "accuracy_state under " + std::to_string(min_accuracy_state_);
    }
    return result;
  }

  int evaluated() const { return evaluated_; }

 private:
  static Space Knobs(size_t layers) {
    std::vector<Knob> knobs;
    for (size_t layer = 0; layer < layers; ++layer) {
      Knob bits{"bits." + std::to_string(layer + 1), {}};
      for (int64_t value = kMinBits; value <= kMaxBits; ++value) bits.values.emplace_back(value);
      knobs.push_back(std::move(bits));
    }
    return Space(std::move(knobs));
  }

  std::vector<Layer> layers_;
  double min_accuracy_state_;
  Broken broken_;
  Space space_;
  ProblemKey key_;
  DecisionSteps steps_;
  int evaluated_ = 0;
};

}  // namespace tessel
