#include "problems/accel/accel_problem.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.h"
#include "core/fnv1a.h"

namespace tessel {
namespace {

// The knobs of layer `layer` (0-based) sit at these indices of the space.
size_t PeKnob(size_t layer) { return 2 * layer; }
size_t KTileKnob(size_t layer) { return 2 * layer + 1; }

std::string LayerMetric(std::string_view name, size_t layer) {
  return std::string(name) + "." + std::to_string(layer + 1);
}

Knob IntegerKnob(std::string name, int max) {
  Knob knob{std::move(name), {}};
  for (int64_t value = 1; value <= max; ++value) knob.values.emplace_back(value);
  return knob;
}

Space MakeSpace(size_t layers) {
  std::vector<Knob> knobs;
  for (size_t layer = 0; layer < layers; ++layer) {
    knobs.push_back(IntegerKnob(LayerMetric("pe", layer), AccelProblem::kMaxPes));
    knobs.push_back(IntegerKnob(LayerMetric("kt", layer), AccelProblem::kMaxKTile));
  }
  return Space(std::move(knobs));
}

// The layers' content in the instance text, so that records of an edited table (same file
// name, other layers) are never taken for this one's: FNV-1a over the rows.
std::string TableDigest(const LayerTable& table) {
  uint64_t hash = kRecordDigestOffset;
  auto mix = [&hash](int64_t value) { hash = Fnv1a(value, hash); };
  for (const AccelLayer& layer : table.layers)
    for (int64_t value :
         {layer.k, layer.c, layer.y, layer.x, layer.r, layer.s, static_cast<int64_t>(layer.type)})
      mix(value);
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, hash);
  return text;
}

// The hardware parameters that change what the model returns, as the records' target.
std::string HardwareText(const MaestroHardware& hardware) {
  return "{\"noc_bw\":" + std::to_string(hardware.noc_bandwidth) +
         ",\"noc_hops\":" + std::to_string(hardware.noc_hops) +
         ",\"noc_hop_latency\":" + std::to_string(hardware.noc_hop_latency) +
         ",\"simd_lanes\":" + std::to_string(hardware.simd_lanes) +
         ",\"offchip_bw\":" + std::to_string(hardware.offchip_bandwidth) + "}";
}

// A layer's value of a budgeted metric, as ConfuciuX adds it up (6 printed digits).
double BudgetShare(const LayerCost& cost, std::string_view metric) {
  return RoundToPrintedDigits(metric == "power" ? cost.power : cost.area);
}

// The layer rows over the network's maximum of each column (ConfuciuX's model_defs_norm): what
// the RL agent sees of a layer.
std::vector<double> NormalisedRow(const AccelLayer& layer, const AccelLayer& maxima) {
  return {static_cast<double>(layer.k) / maxima.k,
          static_cast<double>(layer.c) / maxima.c,
          static_cast<double>(layer.y) / maxima.y,
          static_cast<double>(layer.x) / maxima.x,
          static_cast<double>(layer.r) / maxima.r,
          static_cast<double>(layer.s) / maxima.s,
          static_cast<double>(layer.type) / static_cast<double>(maxima.type)};
}

}  // namespace

AccelObjective AccelObjectiveFromName(std::string_view name) {
  if (name == "latency") return AccelObjective::kLatency;
  if (name == "energy") return AccelObjective::kEnergy;
  if (name == "edp") return AccelObjective::kEdp;
  throw ConfigError("unknown accelerator objective '" + std::string(name) +
                    "'; use latency, energy or edp");
}

std::string_view AccelObjectiveName(AccelObjective objective) {
  switch (objective) {
    case AccelObjective::kLatency:
      return "latency";
    case AccelObjective::kEnergy:
      return "energy";
    case AccelObjective::kEdp:
      return "edp";
  }
  return "?";
}

AccelProblem::AccelProblem(LayerTable table, AccelOptions options)
    : table_(std::move(table)),
      options_(std::move(options)),
      space_(MakeSpace(table_.layers.size())),
      budget_limit_(std::numeric_limits<double>::infinity()) {
  if (table_.layers.empty()) throw ConfigError("the layer table " + table_.name + " has no layers");
  key_ = {kName,
          "net=" + table_.name + ",layers=" + std::to_string(table_.layers.size()) + ",digest=" +
              TableDigest(table_) + ",dataflow=" + std::string(DataflowName(options_.dataflow)) +
              ",objective=" + std::string(AccelObjectiveName(options_.objective)),
          HardwareText(options_.hardware),
          "maestro-" + std::string(MaestroVersionName(options_.hardware.version)), 1};
  if (const std::optional<AccelBudget>& budget = options_.budget) {
    if (budget->metric != "area" && budget->metric != "power")
      throw ConfigError("the accel problem's budget is on area or power, not '" + budget->metric +
                        "'");
    if (budget->ratio.has_value() == budget->limit.has_value())
      throw ConfigError("give the " + budget->metric + " budget as a ratio or as a limit");
    if (budget->ratio) {
      if (!(*budget->ratio >= 0 && *budget->ratio <= 1))
        throw ConfigError("--constraint-ratio must be between 0 and 1 (ConfuciuX uses 0.5)");
      const auto [low, high] = CornerRange(budget->metric);
      budget_limit_ = low + (high - low) * *budget->ratio;
    } else {
      budget_limit_ = *budget->limit;
    }
  }
  steps_ = BuildDecisionSteps();
  for (size_t layer = 0; layer < table_.layers.size(); ++layer)
    layer_metric_names_.push_back({LayerMetric("latency", layer), LayerMetric("energy", layer),
                                   LayerMetric("edp", layer), LayerMetric("area", layer),
                                   LayerMetric("power", layer)});
}

ObjectiveInfo AccelProblem::Objective(AccelObjective objective) {
  switch (objective) {
    case AccelObjective::kEnergy:
      return {"energy", "nJ", true};
    case AccelObjective::kEdp:
      return {"edp", "cycles*nJ", true};
    case AccelObjective::kLatency:
      break;
  }
  return {"latency", "cycles", true};
}

std::vector<MetricInfo> AccelProblem::DeclaredMetrics() {
  return {{"latency", "cycles", "the layers' runtimes, summed"},
          {"energy", "nJ", "MAESTRO's activity-count energy (L2 traffic), summed"},
          {"edp", "cycles*nJ", "each layer's latency x energy, summed (ConfuciuX's LEP)"},
          {"area", "um^2", "each layer's PEs, buffers and NoC, summed"},
          {"power", "mW", "each layer's PEs, buffers and NoC, summed"},
          {"macs", "MACs", "multiply-accumulates of the network"}};
}

std::vector<MetricInfo> AccelProblem::metrics() const {
  std::vector<MetricInfo> declared = DeclaredMetrics();
  for (size_t layer = 0; layer < table_.layers.size(); ++layer)
    for (const MetricInfo& total : DeclaredMetrics())
      if (total.name != "macs")
        declared.push_back({LayerMetric(total.name, layer), total.unit, "layer's " + total.name});
  return declared;
}

std::pair<int64_t, int64_t> AccelProblem::Resources(const Config& config, size_t layer) const {
  return {std::get<int64_t>(space_.Value(config, PeKnob(layer))),
          std::get<int64_t>(space_.Value(config, KTileKnob(layer)))};
}

LayerCost AccelProblem::AnalyseLayerAt(size_t layer, int64_t pes, int64_t ktile) const {
  return AnalyseLayer(table_.layers[layer], options_.dataflow, pes, ktile, options_.hardware);
}

std::pair<double, double> AccelProblem::CornerRange(std::string_view metric) const {
  constexpr std::array<std::pair<int, int>, 4> kCorners = {
      {{kMaxPes, kMaxKTile}, {1, 1}, {kMaxPes, 1}, {1, kMaxKTile}}};
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const auto& [pes, ktile] : kCorners) {
    double total = 0;
    for (size_t layer = 0; layer < table_.layers.size(); ++layer)
      total += BudgetShare(AnalyseLayerAt(layer, pes, ktile), metric);
    low = std::min(low, total);
    high = std::max(high, total);
  }
  return {low, high};
}

std::optional<Constraint> AccelProblem::budget_constraint() const {
  if (!options_.budget) return std::nullopt;
  return Constraint{options_.budget->metric, budget_limit_};
}

DecisionSteps AccelProblem::BuildDecisionSteps() const {
  AccelLayer maxima{1, 1, 1, 1, 1, 1, AccelLayerType::kConv};
  for (const AccelLayer& layer : table_.layers) {
    maxima.k = std::max(maxima.k, layer.k);
    maxima.c = std::max(maxima.c, layer.c);
    maxima.y = std::max(maxima.y, layer.y);
    maxima.x = std::max(maxima.x, layer.x);
    maxima.r = std::max(maxima.r, layer.r);
    maxima.s = std::max(maxima.s, layer.s);
    maxima.type = std::max(maxima.type, layer.type);
  }
  std::vector<int32_t> pe_levels, ktile_levels;
  for (int pes : kPeLevels) pe_levels.push_back(pes - 1);  // value v sits at index v - 1
  for (int ktile = 1; ktile <= kMaxKTile; ++ktile) ktile_levels.push_back(ktile - 1);

  DecisionSteps steps;
  const std::string objective_name = objective().name;
  for (size_t layer = 0; layer < table_.layers.size(); ++layer) {
    DecisionStep step;
    step.features = NormalisedRow(table_.layers[layer], maxima);
    step.knobs = {PeKnob(layer), KTileKnob(layer)};
    step.levels = {pe_levels, ktile_levels};
    step.objective_metric = LayerMetric(objective_name, layer);
    if (options_.budget) step.constraint_metric = LayerMetric(options_.budget->metric, layer);
    steps.steps.push_back(std::move(step));
  }
  steps.budget = budget_limit_;
  if (options_.budget) {
    const std::string metric = options_.budget->metric;
    steps.step_constraint = [this, metric](size_t layer, const Config& config) {
      const auto [pes, ktile] = Resources(config, layer);
      return BudgetShare(AnalyseLayerAt(layer, pes, ktile), metric);
    };
  }
  return steps;
}

std::vector<Evaluation> AccelProblem::Evaluate(const std::vector<Config>& configs) {
  std::vector<Evaluation> results;
  results.reserve(configs.size());
  for (const Config& config : configs) results.push_back(EvaluateOne(config));
  return results;
}

Evaluation AccelProblem::EvaluateOne(const Config& config) const {
  Evaluation result;
  double latency = 0, energy = 0, edp = 0, area = 0, power = 0, macs = 0;
  for (size_t layer = 0; layer < table_.layers.size(); ++layer) {
    const auto [pes, ktile] = Resources(config, layer);
    const LayerCost cost = AnalyseLayerAt(layer, pes, ktile);
    if (!cost.valid) {
      // MAESTRO returns runtime 0 here, which ConfuciuX treats as a failed configuration. The
      // other layers' metrics stay, so that a step-by-step agent can tell which one failed.
      if (result.status == EvalStatus::kOk) {
        result.status = EvalStatus::kInvalid;
        // (The usual cause: shi with X-S+1 < P <= X, docs/maestro_model.md 5.6.)
        result.error = "layer " + std::to_string(layer + 1) + ": MAESTRO's " +
                       std::string(DataflowName(options_.dataflow)) + " mapping of " +
                       std::to_string(pes) + " PEs and KTileSz " + std::to_string(ktile) +
                       " on it computes nothing (runtime 0)";
      }
      continue;
    }
    const double layer_latency = static_cast<double>(cost.runtime);
    const double layer_energy = RoundToPrintedDigits(cost.energy);
    const double layer_area = RoundToPrintedDigits(cost.area);
    const double layer_power = RoundToPrintedDigits(cost.power);
    const LayerMetricNames& names = layer_metric_names_[layer];
    result.metrics[names.latency] = layer_latency;
    result.metrics[names.energy] = layer_energy;
    result.metrics[names.edp] = layer_latency * layer_energy;
    result.metrics[names.area] = layer_area;
    result.metrics[names.power] = layer_power;
    latency += layer_latency;
    energy += layer_energy;
    edp += layer_latency * layer_energy;
    area += layer_area;
    power += layer_power;
    macs += static_cast<double>(cost.macs);
  }
  if (!result.ok()) return result;
  result.metrics["latency"] = latency;
  result.metrics["energy"] = energy;
  result.metrics["edp"] = edp;
  result.metrics["area"] = area;
  result.metrics["power"] = power;
  result.metrics["macs"] = macs;
  result.value = result.metrics.at(objective().name);
  return result;
}

}  // namespace tessel
