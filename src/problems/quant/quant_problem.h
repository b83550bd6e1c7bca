// The quantization problem of ReLeQ ("ReLeQ: A Reinforcement Learning Approach for Deep
// Quantization of Neural Networks", Elthakeb et al.): give every quantizable layer of a trained
// network its own weight bitwidth so that the quantized network is as cheap as possible on
// bit-flexible hardware (Bit Fusion, Stripes) while its accuracy stays close to floating point.
//
// Knobs: `bits.L` per quantizable layer L (1-based, in the network's order), values from a
// bits set (default 2..8; ReLeQ's LeNet script uses 2, 3, 4, 5, 8).
//
// Metrics, per configuration: `accuracy` (a fraction, on the split the problem evaluates: the
// validation split while searching), `accuracy_loss` (percentage points below the same split's
// floating-point accuracy), `avg_bits` (mean over layers, as ReLeQ reports it), Stripes'
// `stripes_cycles` and `stripes_speedup`, Bit Fusion's `bitfusion_cycles`,
// `bitfusion_compute_cycles`, `bitfusion_speedup` and `bitfusion_energy` (relative to every layer
// at 8 bits), and ReLeQ's `accuracy_state` and `quantization_state`, the two states its agent
// is rewarded by. The objective is one of `bitfusion_energy` (default), `avg_bits` or
// `stripes_cycles`; accuracy enters as a constraint on `accuracy_loss` (`tessel tune` adds
// `accuracy_loss<=1` unless told otherwise), so the best feasible configuration is what a user
// would deploy.
//
// The problem owns no network: accuracy comes from a QuantAccuracy (quant_setup.h makes one from
// a network trained on Fashion-MNIST; tests use a formula), the costs from the hardware models.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/problem.h"
#include "problems/quant/bitfusion_model.h"
#include "problems/quant/quant_layer.h"

namespace tessel {

// The accuracy of a network with its layers' weights quantized: what a configuration is judged
// by besides its hardware cost.
class QuantAccuracy {
 public:
  virtual ~QuantAccuracy() = default;
  // The accuracy (a fraction) with floating-point weights.
  virtual double FloatAccuracy() = 0;
  // The accuracy with layer l's weights at bits[l]. May throw (out of memory, a corrupt cache):
  // the problem records the failure and the run goes on.
  virtual double Accuracy(const std::vector<int>& bits) = 0;
  // Each layer's standard deviation of its trained floating-point weights (ReLeQ's state).
  virtual std::vector<double> WeightStd() = 0;
  // Everything the accuracies depend on besides the bits (trained weights, split, fine-tune
  // settings), as JSON text: part of the records' key, so evaluations are reused only for them.
  virtual std::string Identity() const = 0;
};

enum class QuantObjective { kBitFusionEnergy, kAvgBits, kStripesCycles };
// "bitfusion_energy", "avg_bits", "stripes_cycles"; throws tessel::Error naming the known ones.
QuantObjective QuantObjectiveFromName(std::string_view name);
std::string_view QuantObjectiveName(QuantObjective objective);

struct QuantOptions {
  std::vector<int> bits_set = {2, 3, 4, 5, 6, 7, 8};
  QuantObjective objective = QuantObjective::kBitFusionEnergy;
  // The activations' precision on the hardware models (the weights' is the knob).
  int hardware_activation_bits = 8;
  BitFusionConfig bitfusion;
  // ReLeQ's quantization state weighs a layer's weights by the energy of fetching one from
  // memory over the energy of one multiply-accumulate.
  double memory_to_mac_energy = 1;
};

class QuantProblem : public Problem {
 public:
  static constexpr const char* kName = "quant";
  // The precision every hardware figure is relative to, and the bits undecided layers keep.
  static constexpr int kReferenceBits = 8;

  // `net` names the network in the records (with a digest of its layers). Throws tessel::Error
  // for an empty network, a bits set that is empty, unsorted, repeated or outside 1..8.
  QuantProblem(std::string net, std::vector<QuantLayer> layers,
               std::unique_ptr<QuantAccuracy> accuracy, QuantOptions options);

  static ObjectiveInfo Objective(QuantObjective objective = QuantObjective::kBitFusionEnergy);
  static std::vector<MetricInfo> DeclaredMetrics();

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return Objective(options_.objective); }
  std::vector<MetricInfo> metrics() const override { return DeclaredMetrics(); }
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override;
  // Fixed weights, data and seeds: the same bits give the same accuracy every time.
  bool repeatable() const override { return true; }
  // Every layer at the largest bits of the set: the unquantized end of the space.
  std::optional<Config> DefaultConfig() const override;
  // Built on first use: the steps hold the trained weights' spread.
  const DecisionSteps* decision_steps() const override;

  const std::vector<QuantLayer>& layers() const { return layers_; }
  // Layer l's bits in a configuration.
  std::vector<int> Bits(const Config& config) const;
  // The cost metrics of a bits assignment, without accuracy: what Evaluate adds accuracy to.
  Metrics HardwareMetrics(const std::vector<int>& bits) const;
  // The floating-point accuracy every loss is measured against; measured on first use, so that
  // making the problem (and refusing bad input) needs no trained network yet.
  double FloatAccuracy();

 private:
  Evaluation EvaluateOne(const Config& config);
  DecisionSteps BuildDecisionSteps() const;
  double QuantizationState(const std::vector<int>& bits) const;

  std::vector<QuantLayer> layers_;
  std::unique_ptr<QuantAccuracy> accuracy_;
  QuantOptions options_;
  Space space_;
  ProblemKey key_;
  std::optional<double> float_accuracy_;
  BitFusionModel bitfusion_;
  BitFusionLayerCost reference_bitfusion_;  // every layer at kReferenceBits
  mutable std::optional<DecisionSteps> steps_;
};

}  // namespace tessel
