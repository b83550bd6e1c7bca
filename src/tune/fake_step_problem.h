// A test double for a problem described as decision steps (engine/decision_steps.h), shaped
// like ConfuciuX's accelerator problem in miniature: one step per layer, each setting a PE
// count pe.L (1..16; the agent's levels 1, 2, 4, 8, 16) and a tile size kt.L (1..4). A layer's
// latency is work / pe x (1 + |kt - ideal tile| / 2) and its area 10 pe + kt; the budget on the
// summed area follows ConfuciuX's rule (the corners' min + (max - min) x 0.5). Evaluations
// report latency.L and area.L per layer; an over-budget one is infeasible (as the loop marks
// it), and layers a rule declares unmappable make the evaluation invalid and lack their
// metrics (as MAESTRO's failures do).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/problem.h"

namespace tessel {

class FakeStepProblem : public Problem {
 public:
  static constexpr int64_t kMaxPe = 16;
  static constexpr int64_t kMaxTile = 8;

  struct Layer {
    double work;
    int64_t ideal_tile;
  };
  // True when the layer cannot be mapped with these values.
  using Unmappable = std::function<bool(size_t layer, int64_t pe, int64_t tile)>;

  explicit FakeStepProblem(std::vector<Layer> layers = {{100, 2}, {400, 7}, {50, 1}, {200, 5}},
                           Unmappable unmappable = nullptr)
      : layers_(std::move(layers)),
        unmappable_(std::move(unmappable)),
        space_(Knobs(layers_.size())),
        key_{"fake-steps", "layers", "test", "analytic", 1} {
    double low = 0, high = 0;
    for (size_t layer = 0; layer < layers_.size(); ++layer) {
      low += Area(1, 1);
      high += Area(kMaxPe, kMaxTile);
      DecisionStep step;
      const double tile = static_cast<double>(layers_[layer].ideal_tile) / kMaxTile;
      step.features = {layers_[layer].work / 400, tile, 0.5, 0.5, 1, 1, 1};
      step.knobs = {PeKnob(layer), TileKnob(layer)};
      step.levels = {{0, 1, 3, 7, 15}, {0, 1, 2, 3, 4, 5, 6, 7}};
      step.objective_metric = "latency." + std::to_string(layer);
      step.constraint_metric = "area." + std::to_string(layer);
      steps_.steps.push_back(std::move(step));
    }
    steps_.budget = low + (high - low) * 0.5;
    steps_.step_constraint = [this](size_t layer, const Config& config) {
      return Area(Pe(config, layer), Tile(config, layer));
    };
  }

  static double Area(int64_t pe, int64_t tile) { return 10.0 * pe + tile; }
  double Latency(size_t layer, int64_t pe, int64_t tile) const {
    const Layer& l = layers_[layer];
    return l.work / pe * (1 + std::abs(tile - l.ideal_tile) / 8.0);
  }
  static size_t PeKnob(size_t layer) { return 2 * layer; }
  static size_t TileKnob(size_t layer) { return 2 * layer + 1; }
  static int64_t Pe(const Config& config, size_t layer) { return config[PeKnob(layer)] + 1; }
  static int64_t Tile(const Config& config, size_t layer) { return config[TileKnob(layer)] + 1; }

  // The least total latency within the budget, over every value or over the agent's levels
  // only: a knapsack over the integer areas.
  double Optimum(bool levels_only = false) const {
    const int capacity = static_cast<int>(steps_.budget);
    const double none = std::numeric_limits<double>::infinity();
    std::vector<double> best(capacity + 1, 0);
    for (size_t layer = 0; layer < layers_.size(); ++layer) {
      const DecisionStep& step = steps_.steps[layer];
      std::vector<double> next(capacity + 1, none);
      for (int64_t pe = 1; pe <= kMaxPe; ++pe) {
        const int32_t pe_index = static_cast<int32_t>(pe - 1);
        if (levels_only && !std::count(step.levels[0].begin(), step.levels[0].end(), pe_index))
          continue;
        for (int64_t tile = 1; tile <= kMaxTile; ++tile) {
          if (unmappable_ && unmappable_(layer, pe, tile)) continue;
          const int area = static_cast<int>(Area(pe, tile));
          for (int used = area; used <= capacity; ++used)
            next[used] = std::min(next[used], best[used - area] + Latency(layer, pe, tile));
        }
      }
      best = std::move(next);
    }
    return best[capacity];
  }

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return {"latency", "cycles", true}; }
  const DecisionSteps* decision_steps() const override { return &steps_; }

  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override {
    std::vector<Evaluation> results;
    for (const Config& config : configs) results.push_back(EvaluateOne(config));
    evaluated_ += static_cast<int>(configs.size());
    return results;
  }

  Evaluation EvaluateOne(const Config& config) const {
    Evaluation result;
    double latency = 0, area = 0;
    for (size_t layer = 0; layer < layers_.size(); ++layer) {
      const int64_t pe = Pe(config, layer), tile = Tile(config, layer);
      if (unmappable_ && unmappable_(layer, pe, tile)) {
        result.status = EvalStatus::kInvalid;
        result.error = "layer " + std::to_string(layer) + " cannot be mapped";
        continue;
      }
      result.metrics["latency." + std::to_string(layer)] = Latency(layer, pe, tile);
      result.metrics["area." + std::to_string(layer)] = Area(pe, tile);
      latency += Latency(layer, pe, tile);
      area += Area(pe, tile);
    }
    if (!result.ok()) return result;
    result.value = latency;
    if (area > steps_.budget) {
      result.status = EvalStatus::kInfeasible;
      result.error = "area over the budget";
    }
    return result;
  }

  int evaluated() const { return evaluated_; }

 private:
  static Space Knobs(size_t layers) {
    std::vector<Knob> knobs;
    for (size_t layer = 0; layer < layers; ++layer) {
      Knob pe{"pe." + std::to_string(layer), {}}, tile{"kt." + std::to_string(layer), {}};
      for (int64_t value = 1; value <= kMaxPe; ++value) pe.values.emplace_back(value);
      for (int64_t value = 1; value <= kMaxTile; ++value) tile.values.emplace_back(value);
      knobs.push_back(std::move(pe));
      knobs.push_back(std::move(tile));
    }
    return Space(std::move(knobs));
  }

  std::vector<Layer> layers_;
  Unmappable unmappable_;
  Space space_;
  ProblemKey key_;
  DecisionSteps steps_;
  int evaluated_ = 0;
};

}  // namespace tessel
