// The accelerator resource-assignment problem of ConfuciuX ("ConfuciuX: Autonomous Hardware
// Resource Assignment for DNN Accelerators using Reinforcement Learning", Kao, Jeong, Krishna,
// MICRO 2020): give every layer of a network its own number of PEs and buffer tile (KTileSz)
// so that latency, energy or their product is minimal under an area or power budget, each
// layer costed by MAESTRO's analytical model (maestro_model.h).
//
// Knobs per layer L (1-based, in the table's order): `pe.L` (1..128 PEs) and `kt.L` (KTileSz
// 1..12). An RL agent chooses among ConfuciuX's 12 levels per knob (decision_steps()); other
// strategies may use any value, as ConfuciuX's GA does.
//
// Metrics: the network's totals (`latency` in cycles, `energy` in nJ, `edp`, `area`, `power`,
// `macs`) and the same per layer (`latency.L`, `energy.L`, `edp.L`, `area.L`, `power.L`).
// Energy, area and power are summed over layers after rounding each layer's value to MAESTRO's
// 6 printed digits, as ConfuciuX sums what it reads back; `edp` is ConfuciuX's "LEP", the sum
// over layers of latency x energy (additive, so that every layer has its share).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/problem.h"
#include "problems/accel/layer_table.h"
#include "problems/accel/maestro_model.h"

namespace tessel {

enum class AccelObjective { kLatency, kEnergy, kEdp };
// "latency", "energy", "edp"; throws tessel::Error naming the known ones.
AccelObjective AccelObjectiveFromName(std::string_view name);
std::string_view AccelObjectiveName(AccelObjective objective);

// A limit on the network's area or power. ConfuciuX sets it relative to its corner
// configurations (every layer at (128 PEs, kt 12), (1, 1), (128, 1) and (1, 12)): with
// `ratio`, the limit is min + ratio x (max - min) over the corners' totals; with `limit`, it
// is that value.
struct AccelBudget {
  std::string metric;  // "area" or "power"
  std::optional<double> ratio;
  std::optional<double> limit;
};

struct AccelOptions {
  Dataflow dataflow = Dataflow::kShi;
  AccelObjective objective = AccelObjective::kLatency;
  MaestroHardware hardware;
  std::optional<AccelBudget> budget;
};

class AccelProblem : public Problem {
 public:
  static constexpr const char* kName = "accel";
  static constexpr int kMaxPes = 128;
  static constexpr int kMaxKTile = 12;
  // ConfuciuX's action levels for the PE count (its get_action_space.py); KTileSz uses 1..12.
  static constexpr std::array<int, 12> kPeLevels = {1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128};

  // Throws tessel::Error for a budget on another metric or a ratio outside [0, 1].
  AccelProblem(LayerTable table, AccelOptions options);

  // What `tessel problems` lists: the default objective and the network totals.
  static ObjectiveInfo Objective(AccelObjective objective = AccelObjective::kLatency);
  static std::vector<MetricInfo> DeclaredMetrics();

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return Objective(options_.objective); }
  std::vector<MetricInfo> metrics() const override;
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override;
  const DecisionSteps* decision_steps() const override { return &steps_; }

  const LayerTable& table() const { return table_; }
  // The budget as a constraint on the network total ("area<=1.625e13"); none without one.
  std::optional<Constraint> budget_constraint() const;
  // The corners' smallest and largest total of `metric` ("area" or "power").
  std::pair<double, double> CornerRange(std::string_view metric) const;

  // Layer `layer`'s (PEs, KTileSz) in a configuration (0-based layer).
  std::pair<int64_t, int64_t> Resources(const Config& config, size_t layer) const;
  // One layer on (pes, ktile), as the problem costs it (the model at the problem's hardware).
  LayerCost AnalyseLayerAt(size_t layer, int64_t pes, int64_t ktile) const;

 private:
  Evaluation EvaluateOne(const Config& config) const;
  DecisionSteps BuildDecisionSteps() const;

  LayerTable table_;
  AccelOptions options_;
  Space space_;
  ProblemKey key_;
  double budget_limit_;  // infinity without a budget
  DecisionSteps steps_;
  // Each layer's metric names ("latency.3", ...), made once: every evaluation reports them.
  struct LayerMetricNames {
    std::string latency, energy, edp, area, power;
  };
  std::vector<LayerMetricNames> layer_metric_names_;
};

}  // namespace tessel
