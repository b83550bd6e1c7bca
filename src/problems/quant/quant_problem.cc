#include "problems/quant/quant_problem.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <numeric>

#include "core/error.h"
#include "core/fnv1a.h"
#include "core/stop_request.h"
#include "problems/quant/stripes_model.h"

namespace tessel {
namespace {

std::string LayerKnob(size_t layer) { return "bits." + std::to_string(layer + 1); }

Space MakeSpace(size_t layers, const std::vector<int>& bits_set) {
  std::vector<Knob> knobs;
  for (size_t layer = 0; layer < layers; ++layer) {
    Knob knob{LayerKnob(layer), {}};
    for (int bits : bits_set) knob.values.emplace_back(int64_t{bits});
    knobs.push_back(std::move(knob));
  }
  return Space(std::move(knobs));
}

// The set, checked.
const std::vector<int>& CheckedBitsSet(const std::vector<int>& bits_set) {
  if (bits_set.empty()) throw ConfigError("the bits set is empty; give bitwidths such as 2,3,4,8");
  for (size_t i = 0; i < bits_set.size(); ++i) {
    if (bits_set[i] < 1 || bits_set[i] > QuantProblem::kReferenceBits)
      throw ConfigError("bitwidth " + std::to_string(bits_set[i]) +
                        " is outside 1..8, the widths Bit Fusion runs; give the bits set as "
                        "increasing numbers in 1..8");
    if (i > 0 && bits_set[i] <= bits_set[i - 1])
      throw ConfigError("the bits set must be increasing without repeats, as in 2,3,4,5,8");
  }
  return bits_set;
}

// The layers' shapes in the instance text, so that records of another definition under the
// same name are never taken for this one's: FNV-1a over the shapes.
std::string LayersDigest(const std::vector<QuantLayer>& layers) {
  uint64_t hash = kRecordDigestOffset;
  auto mix = [&hash](int64_t value) { hash = Fnv1a(value, hash); };
  for (const QuantLayer& layer : layers)
    for (int64_t value :
         {int64_t{layer.kind == QuantLayerKind::kDense}, int64_t{layer.in_channels},
          int64_t{layer.in_height}, int64_t{layer.in_width}, int64_t{layer.out_channels},
          int64_t{layer.kernel}, int64_t{layer.stride}, int64_t{layer.padding}})
      mix(value);
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, hash);
  return text;
}

std::string BitsSetText(const std::vector<int>& bits_set) {
  std::string text;
  for (int bits : bits_set) {
    if (!text.empty()) text += ',';
    text += std::to_string(bits);
  }
  return text;
}

// What the hardware figures depend on besides the bits, for the records' target.
std::string TargetText(const QuantAccuracy& accuracy, const QuantOptions& options) {
  return "{\"accuracy\":" + accuracy.Identity() +
         ",\"activation_bits\":" + std::to_string(options.hardware_activation_bits) +
         ",\"bitfusion_batch\":" + std::to_string(options.bitfusion.batch) +
         ",\"memory_to_mac_energy\":" + std::to_string(options.memory_to_mac_energy) + "}";
}

}  // namespace

QuantObjective QuantObjectiveFromName(std::string_view name) {
  if (name == "bitfusion_energy") return QuantObjective::kBitFusionEnergy;
  if (name == "avg_bits") return QuantObjective::kAvgBits;
  if (name == "stripes_cycles") return QuantObjective::kStripesCycles;
  throw ConfigError("unknown quantization objective '" + std::string(name) +
                    "'; use bitfusion_energy, avg_bits or stripes_cycles");
}

std::string_view QuantObjectiveName(QuantObjective objective) {
  switch (objective) {
    case QuantObjective::kBitFusionEnergy:
      return "bitfusion_energy";
    case QuantObjective::kAvgBits:
      return "avg_bits";
    case QuantObjective::kStripesCycles:
      return "stripes_cycles";
  }
  return "?";
}

QuantProblem::QuantProblem(std::string net, std::vector<QuantLayer> layers,
                           std::unique_ptr<QuantAccuracy> accuracy, QuantOptions options)
    : layers_(std::move(layers)),
      accuracy_(std::move(accuracy)),
      options_(std::move(options)),
      space_(MakeSpace(layers_.size(), CheckedBitsSet(options_.bits_set))),
      bitfusion_(layers_, options_.bitfusion) {
  if (layers_.empty()) throw ConfigError("the network " + net + " has no quantizable layer");
  key_ = {kName,
          "net=" + net + ",layers=" + std::to_string(layers_.size()) +
              ",digest=" + LayersDigest(layers_) + ",bits=" + BitsSetText(options_.bits_set) +
              ",objective=" + std::string(QuantObjectiveName(options_.objective)),
          TargetText(*accuracy_, options_), "dorefa-bitfusion-stripes", 1};
  const std::vector<int> reference(layers_.size(), kReferenceBits);
  reference_bitfusion_ = bitfusion_.Evaluate(reference, options_.hardware_activation_bits).total;
}

ObjectiveInfo QuantProblem::Objective(QuantObjective objective) {
  switch (objective) {
    case QuantObjective::kAvgBits:
      return {"avg_bits", "bits", true};
    case QuantObjective::kStripesCycles:
      return {"stripes_cycles", "cycles", true};
    case QuantObjective::kBitFusionEnergy:
      break;
  }
  return {"bitfusion_energy", "x 8-bit", true};
}

std::vector<MetricInfo> QuantProblem::DeclaredMetrics() {
  return {
      {"accuracy", "fraction", "top-1 accuracy of the quantized network on the evaluated split"},
      {"accuracy_loss", "points", "floating-point accuracy minus this one, in percentage points"},
      {"avg_bits", "bits", "the layers' weight bitwidths, averaged over layers"},
      {"stripes_cycles", "cycles", "Stripes' bit-serial compute cycles for one image"},
      {"stripes_speedup", "x", "Stripes' cycles at 8 bits over this configuration's"},
      {"bitfusion_cycles", "cycles", "Bit Fusion's cycles, compute and memory stalls"},
      {"bitfusion_compute_cycles", "cycles", "Bit Fusion's compute cycles alone"},
      {"bitfusion_speedup", "x", "Bit Fusion's cycles at 8 bits over this configuration's"},
      {"bitfusion_energy", "x 8-bit", "Bit Fusion's energy over its energy at 8 bits"},
      {"accuracy_state", "fraction", "ReLeQ's accuracy state: accuracy over floating point's"},
      {"quantization_state", "fraction",
       "ReLeQ's quantization state: weighted bits over the most bits"},
  };
}

std::optional<Config> QuantProblem::DefaultConfig() const {
  return Config(layers_.size(), static_cast<int32_t>(options_.bits_set.size() - 1));
}

std::vector<int> QuantProblem::Bits(const Config& config) const {
  std::vector<int> bits(layers_.size());
  for (size_t layer = 0; layer < layers_.size(); ++layer)
    bits[layer] = static_cast<int>(std::get<int64_t>(space_.Value(config, layer)));
  return bits;
}

double QuantProblem::QuantizationState(const std::vector<int>& bits) const {
  double weighted_bits = 0, weights = 0;
  for (size_t layer = 0; layer < layers_.size(); ++layer) {
    const double size =
        static_cast<double>(layers_[layer].weights()) * options_.memory_to_mac_energy +
        static_cast<double>(layers_[layer].macs());
    weighted_bits += size * bits[layer];
    weights += size;
  }
  return weighted_bits / (weights * options_.bits_set.back());
}

Metrics QuantProblem::HardwareMetrics(const std::vector<int>& bits) const {
  Metrics metrics;
  metrics["avg_bits"] =
      std::accumulate(bits.begin(), bits.end(), 0.0) / static_cast<double>(bits.size());
  const int64_t stripes = StripesCycles(layers_, bits);
  metrics["stripes_cycles"] = static_cast<double>(stripes);
  metrics["stripes_speedup"] = StripesSpeedup(layers_, bits);
  const BitFusionLayerCost bitfusion =
      bitfusion_.Evaluate(bits, options_.hardware_activation_bits).total;
  metrics["bitfusion_cycles"] = static_cast<double>(bitfusion.total_cycles);
  metrics["bitfusion_compute_cycles"] = static_cast<double>(bitfusion.compute_cycles);
  metrics["bitfusion_speedup"] = static_cast<double>(reference_bitfusion_.total_cycles) /
                                 static_cast<double>(bitfusion.total_cycles);
  metrics["bitfusion_energy"] = bitfusion.total_energy / reference_bitfusion_.total_energy;
  metrics["quantization_state"] = QuantizationState(bits);
  return metrics;
}

double QuantProblem::FloatAccuracy() {
  if (!float_accuracy_) float_accuracy_ = accuracy_->FloatAccuracy();
  return *float_accuracy_;
}

const DecisionSteps* QuantProblem::decision_steps() const {
  if (!steps_) steps_ = BuildDecisionSteps();
  return &*steps_;
}

Evaluation QuantProblem::EvaluateOne(const Config& config) {
  const std::vector<int> bits = Bits(config);
  Evaluation result;
  double accuracy = 0;
  try {
    ThrowIfStopRequested();
    FloatAccuracy();
    accuracy = accuracy_->Accuracy(bits);
  } catch (const StopRequestedError&) {
    result.status = EvalStatus::kCancelled;
    result.error = "not evaluated: the run was asked to stop";
    return result;
  } catch (const std::bad_alloc&) {
    result.status = EvalStatus::kOutOfMemory;
    result.error = "evaluating the quantized network needed more memory than allowed";
    return result;
  } catch (const std::exception& error) {
    const std::string message = error.what();
    // LibTorch's CPU allocator reports a failed allocation as a c10::Error.
    const bool memory = message.find("can't allocate memory") != std::string::npos ||
                        message.find("out of memory") != std::string::npos;
    result.status = memory ? EvalStatus::kOutOfMemory : EvalStatus::kRuntimeError;
    result.error = "evaluating the quantized network failed: " + message.substr(0, 300);
    return result;
  }
  result.metrics = HardwareMetrics(bits);
  result.metrics["accuracy"] = accuracy;
  result.metrics["accuracy_loss"] = 100 * (FloatAccuracy() - accuracy);
  result.metrics["accuracy_state"] = accuracy / FloatAccuracy();
  result.value = result.metrics.at(std::string(QuantObjectiveName(options_.objective)));
  return result;
}

std::vector<Evaluation> QuantProblem::Evaluate(const std::vector<Config>& configs) {
  std::vector<Evaluation> results;
  results.reserve(configs.size());
  for (const Config& config : configs) results.push_back(EvaluateOne(config));
  return results;
}

DecisionSteps QuantProblem::BuildDecisionSteps() const {
  // ReLeQ's static layer state: the layer's index, its size and its weights' spread, each over
  // the network's largest so that they lie in [0, 1].
  const std::vector<double> spread = accuracy_->WeightStd();
  int64_t max_weights = 1, max_macs = 1;
  double max_spread = 0;
  for (size_t layer = 0; layer < layers_.size(); ++layer) {
    max_weights = std::max(max_weights, layers_[layer].weights());
    max_macs = std::max(max_macs, layers_[layer].macs());
    max_spread = std::max(max_spread, spread.at(layer));
  }
  DecisionSteps steps;
  std::vector<int32_t> levels(options_.bits_set.size());
  std::iota(levels.begin(), levels.end(), 0);
  const double last = std::max<double>(1, static_cast<double>(layers_.size() - 1));
  for (size_t layer = 0; layer < layers_.size(); ++layer) {
    DecisionStep step;
    step.features = {static_cast<double>(layer) / last,
                     static_cast<double>(layers_[layer].weights()) / max_weights,
                     static_cast<double>(layers_[layer].macs()) / max_macs,
                     max_spread > 0 ? spread[layer] / max_spread : 0};
    step.knobs = {layer};
    step.levels = {levels};
    steps.steps.push_back(std::move(step));
  }
  steps.quality_state_metric = "accuracy_state";
  steps.cost_state_metric = "quantization_state";
  return steps;
}

}  // namespace tessel
