// A network of quant_nets.h trained on Fashion-MNIST with LibTorch, and the accuracy it keeps
// when its weights are quantized per layer: DoReFa's weight quantizer (Zhou et al.,
// "DoReFa-Net: Training Low Bitwidth Convolutional Neural Networks with Low Bitwidth
// Gradients"), as ReLeQ (Elthakeb et al., "ReLeQ: A Reinforcement Learning Approach for Deep
// Quantization of Neural Networks") evaluates its configurations, optionally after a short
// quantization-aware fine-tune. Trained models are cached on disk. LibTorch stays in the .cc
// file. docs/quant_model.md has the settings, the measurements behind their defaults and the
// timings.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "problems/quant/fashion_mnist.h"
#include "problems/quant/quant_nets.h"

namespace tessel {

// How the floating-point network is trained: Adam (Kingma and Ba, "Adam: A Method for Stochastic
// Optimization") on the cross-entropy, the learning rate halved after every `decay_every`
// epochs, each epoch in an order drawn from `seed`; the initial weights come from
// torch::manual_seed(seed). The defaults give lenet5 over 90% test accuracy
// (docs/quant_model.md).
struct TrainSettings {
  int epochs = 8;
  int batch_size = 64;
  double learning_rate = 1e-3;
  int decay_every = 3;  // epochs; 0 = a constant learning rate
  uint64_t seed = 1;
  int train_subset = 0;  // the first N images of a seeded shuffle of the training split; 0 = all
  // Every field: part of a trained model's cache key.
  std::string canonical_text() const;
};

// A quantization-aware fine-tune of a copy of the trained network before it is measured: SGD
// with momentum through the quantizer (straight-through gradients), as ReLeQ retrains.
struct FineTuneSettings {
  int epochs = 0;  // 0 = post-training quantization, no fine-tune
  int subset = 0;  // images of the training split per epoch (a seeded draw); 0 = all
  double learning_rate = 0.01;
  double momentum = 0.9;
  int batch_size = 64;
};

// Which statistic of a layer's float weights scales its DoReFa weights (in [-1, 1]) back.
enum class WeightScale { kMaxAbs, kMeanAbs };

struct QuantSettings {
  // Multiply the quantized weights (in [-1, 1]) by the layer's `scale`. ReLeQ's DoReFa code
  // does not; docs/quant_model.md measures both.
  bool restore_scale = true;
  WeightScale scale = WeightScale::kMaxAbs;
  int activation_bits = 0;  // DoReFa's activations: clip to [0, 1], k bits; 0 = float
  FineTuneSettings fine_tune;
  std::string canonical_text() const;
};

enum class Split { kValidation, kTest };

class TrainedNet {
 public:
  // Loads cache_dir/models/<net>-<hash of the definition, the data's digest and `train`>.pt
  // when it is there and holds the right tensors; else trains the network (progress lines:
  // epoch, loss, validation accuracy, to `log` when set) and saves it, atomically. Throws
  // tessel::Error when the cache directory cannot be written.
  static std::unique_ptr<TrainedNet> LoadOrTrain(
      const QuantNetDefinition& definition, const FashionMnist& data, const TrainSettings& train,
      const std::string& cache_dir, const std::function<void(const std::string&)>& log = {});
  ~TrainedNet();

  const QuantNetDefinition& definition() const;

  // The fraction of the split's images classified right with each layer's weights quantized to
  // bits[i] bits (1..; 32 and more, or an empty vector, mean floating point), after a fine-tune
  // of a copy when settings.fine_tune.epochs > 0, whose data order `seed` draws. The trained
  // weights are never changed. Throws tessel::Error for a bits vector of the wrong length or a
  // width below 1.
  double Accuracy(Split split, const std::vector<int>& bits, const QuantSettings& settings,
                  uint64_t seed) const;

  // Per quantizable layer, the standard deviation of the trained float weights.
  std::vector<double> weight_std() const;
  std::string cache_key() const;   // "<net>-<16 hex digits>"
  std::string cache_path() const;  // where the model is (or would be) saved
  bool loaded_from_cache() const;  // false when LoadOrTrain trained it
  double train_seconds() const;    // wall time of the training; 0 when loaded

 private:
  struct State;
  explicit TrainedNet(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The LibTorch threads every training and evaluation runs on; 1 unless set (0 = every core,
// std::thread::hardware_concurrency()). Results are bit-identical for one thread count, and a
// trained model's cache key holds the count: another count splits LibTorch's sums otherwise and
// changes the last bits. One thread is the default because two were slower on the shared 2-core
// machine this was measured on (docs/quant_model.md) and because it gives the same models on
// machines with any number of cores.
void SetQuantThreads(int threads);
int QuantThreads();

}  // namespace tessel
