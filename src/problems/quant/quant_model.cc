#include "problems/quant/quant_model.h"

#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/rng.h"
#include "core/stop_request.h"
#include "problems/quant/dorefa.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Bumped whenever training or the saved format changes, so that older cached models are not
// mistaken for today's.
constexpr const char* kModelFormat = "tessel-quant-model 1";
// The training split's mean and standard deviation of pixel/255: inputs are standardised.
constexpr double kPixelMean = 0.2860, kPixelStd = 0.3530;
// Images per forward pass when measuring: larger batches were slower (measured per image on
// lenet5: 250 is as fast as 64-256, 1000 a third slower).
constexpr int kEvalBatch = 250;
constexpr int kFloatBits = 32;

std::atomic<int> quant_threads{1};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

// One split as tensors: images [N, 1, 28, 28] as bytes (standardised a batch at a time, so the
// float copy of the whole split is never held) and labels [N] as int64.
struct SplitTensors {
  torch::Tensor images, labels;
  int64_t size() const { return labels.size(0); }
};

SplitTensors ToTensors(const ImageSet& set) {
  SplitTensors tensors;
  tensors.images = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()),
                                    {set.count, 1, set.rows, set.cols}, torch::kUInt8)
                       .clone();
  tensors.labels =
      torch::from_blob(const_cast<uint8_t*>(set.labels.data()), {set.count}, torch::kUInt8)
          .to(torch::kInt64);
  return tensors;
}

torch::Tensor Standardise(const torch::Tensor& images) {
  return images.to(torch::kFloat32).div_(255.0).sub_(kPixelMean).div_(kPixelStd);
}

// A network's parameters, one weight and one bias per quantizable layer.
struct NetWeights {
  std::vector<torch::Tensor> weights, biases;

  std::vector<torch::Tensor> all() const {
    std::vector<torch::Tensor> parameters = weights;
    parameters.insert(parameters.end(), biases.begin(), biases.end());
    return parameters;
  }
  // A copy that shares no storage with this one, ready to be trained.
  NetWeights TrainableCopy() const {
    NetWeights copy;
    for (const torch::Tensor& w : weights)
      copy.weights.push_back(w.detach().clone().requires_grad_());
    for (const torch::Tensor& b : biases)
      copy.biases.push_back(b.detach().clone().requires_grad_());
    return copy;
  }
};

// PyTorch's default initialisation of Conv2d and Linear (Kaiming-uniform weights), drawn from
// the global generator, which the caller seeds.
NetWeights InitialWeights(const QuantNetDefinition& net) {
  NetWeights initial;
  for (const QuantLayer& layer : net.layers) {
    if (layer.kind == QuantLayerKind::kConv) {
      torch::nn::Conv2d conv(
          torch::nn::Conv2dOptions(layer.in_channels, layer.out_channels, layer.kernel)
              .stride(layer.stride)
              .padding(layer.padding));
      initial.weights.push_back(conv->weight.detach().clone().requires_grad_());
      initial.biases.push_back(conv->bias.detach().clone().requires_grad_());
    } else {
      torch::nn::Linear dense(layer.in_channels, layer.out_channels);
      initial.weights.push_back(dense->weight.detach().clone().requires_grad_());
      initial.biases.push_back(dense->bias.detach().clone().requires_grad_());
    }
  }
  return initial;
}

// What Forward needs to know about quantization, fixed for one evaluation.
struct QuantPlan {
  std::vector<int> bits;  // per layer; >= 32 = float
  bool restore_scale = true;
  WeightScale scale = WeightScale::kMaxAbs;
  int activation_bits = 0;
};

std::vector<torch::Tensor> EffectiveWeights(const NetWeights& net, const QuantPlan& plan) {
  std::vector<torch::Tensor> effective;
  for (size_t i = 0; i < net.weights.size(); ++i)
    effective.push_back(
        DoReFaWeights(net.weights[i], plan.bits[i], plan.restore_scale, plan.scale));
  return effective;
}

// A dense layer as a 1x1 convolution of a 1x1 image. The same sums, but LibTorch hands
// convolutions to its own oneDNN and matrix products to the system BLAS, which on a plain
// Debian is the reference netlib BLAS: measured 2.2x slower to train lenet5 and 2.6x slower to
// evaluate it (docs/quant_model.md).
torch::Tensor DenseAsConvolution(const torch::Tensor& x, const torch::Tensor& weight,
                                 const torch::Tensor& bias) {
  const torch::Tensor flat = x.flatten(1);
  return torch::conv2d(flat.view({flat.size(0), flat.size(1), 1, 1}),
                       weight.view({weight.size(0), weight.size(1), 1, 1}), bias)
      .flatten(1);
}

// Logits for a batch of standardised images. Every layer but the last is followed by a ReLU
// (DoReFa's clipped, quantized activation instead when activation_bits is set), then by the
// definition's pool.
torch::Tensor Forward(const QuantNetDefinition& net, const std::vector<torch::Tensor>& weights,
                      const std::vector<torch::Tensor>& biases, int activation_bits,
                      torch::Tensor x) {
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const QuantLayer& layer = net.layers[i];
    if (layer.kind == QuantLayerKind::kConv) {
      x = torch::conv2d(x, weights[i], biases[i], layer.stride, layer.padding);
    } else {
      x = DenseAsConvolution(x, weights[i], biases[i]);
    }
    if (i + 1 == net.layers.size()) break;
    x = activation_bits > 0 ? DoReFaActivations(x, activation_bits) : torch::relu(x);
    if (net.pool_after[i]) x = torch::max_pool2d(x, 2, 2);
  }
  return x;
}

int64_t CountCorrect(const QuantNetDefinition& net, const std::vector<torch::Tensor>& weights,
                     const std::vector<torch::Tensor>& biases, int activation_bits,
                     const SplitTensors& split) {
  torch::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t first = 0; first < split.size(); first += kEvalBatch) {
    const int64_t last = std::min(split.size(), first + kEvalBatch);
    const torch::Tensor logits = Forward(net, weights, biases, activation_bits,
                                         Standardise(split.images.slice(0, first, last)));
    correct += logits.argmax(1).eq(split.labels.slice(0, first, last)).sum().item<int64_t>();
  }
  return correct;
}

// Each epoch's minibatches: the chosen images in a fresh shuffle of `rng`.
std::vector<std::vector<int64_t>> EpochBatches(std::vector<int64_t> images, int batch_size,
                                               Rng& rng) {
  rng.Shuffle(images);
  std::vector<std::vector<int64_t>> batches;
  for (size_t first = 0; first < images.size(); first += static_cast<size_t>(batch_size))
    batches.emplace_back(
        images.begin() + static_cast<ptrdiff_t>(first),
        images.begin() + static_cast<ptrdiff_t>(std::min(images.size(), first + batch_size)));
  return batches;
}

// One pass of `optimizer` over `batches`; returns the mean loss.
double TrainEpoch(const QuantNetDefinition& net, NetWeights& weights, const QuantPlan& plan,
                  const SplitTensors& train, const std::vector<std::vector<int64_t>>& batches,
                  torch::optim::Optimizer& optimizer) {
  double loss_sum = 0;
  for (const std::vector<int64_t>& batch : batches) {
    ThrowIfStopRequested();  // a training run takes minutes; a stop takes a batch
    const torch::Tensor index = torch::tensor(batch, torch::kInt64);
    const torch::Tensor x = Standardise(train.images.index_select(0, index));
    const torch::Tensor logits =
        Forward(net, EffectiveWeights(weights, plan), weights.biases, plan.activation_bits, x);
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(logits, train.labels.index_select(0, index));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>();
  }
  return loss_sum / static_cast<double>(std::max<size_t>(1, batches.size()));
}

std::vector<int64_t> FirstOfShuffle(int64_t total, int count, Rng rng) {
  std::vector<int64_t> all(static_cast<size_t>(total));
  std::iota(all.begin(), all.end(), 0);
  if (count <= 0 || count >= total) return all;
  rng.Shuffle(all);
  all.resize(static_cast<size_t>(count));
  return all;
}

QuantPlan FloatPlan(size_t layers) {
  QuantPlan plan;
  plan.bits.assign(layers, kFloatBits);
  return plan;
}

void UseQuantThreads() { torch::set_num_threads(QuantThreads()); }

}  // namespace

std::string TrainSettings::canonical_text() const {
  std::ostringstream text;
  text << "train adam epochs " << epochs << " batch " << batch_size << " lr "
       << Format("%.17g", learning_rate) << " halve_every " << decay_every << " seed " << seed
       << " subset " << train_subset << " standardise " << kPixelMean << ' ' << kPixelStd;
  return text.str();
}

std::string QuantSettings::canonical_text() const {
  std::ostringstream text;
  text << "dorefa restore_scale " << restore_scale << " scale "
       << (scale == WeightScale::kMaxAbs ? "max" : "mean") << " activation_bits " << activation_bits
       << " fine_tune epochs " << fine_tune.epochs << " subset " << fine_tune.subset << " lr "
       << Format("%.17g", fine_tune.learning_rate) << " momentum "
       << Format("%.17g", fine_tune.momentum) << " batch " << fine_tune.batch_size;
  return text.str();
}

void SetQuantThreads(int threads) { quant_threads = threads; }

int QuantThreads() {
  const int chosen = quant_threads;
  if (chosen > 0) return chosen;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

struct TrainedNet::State {
  QuantNetDefinition definition;
  NetWeights weights;  // the trained float weights; never changed after training
  SplitTensors train, validation, test;
  std::string cache_key, cache_path;
  bool loaded = false;
  double train_seconds = 0;
};

namespace {

std::string WeightName(const QuantNetDefinition& net, size_t layer) {
  return net.layers[layer].name + ".weight";
}
std::string BiasName(const QuantNetDefinition& net, size_t layer) {
  return net.layers[layer].name + ".bias";
}

std::vector<int64_t> WeightShape(const QuantLayer& layer) {
  if (layer.kind == QuantLayerKind::kDense) return {layer.out_channels, layer.in_channels};
  return {layer.out_channels, layer.in_channels, layer.kernel, layer.kernel};
}

// The cached model at `path` when it was saved under `key_text` and holds every layer's
// tensors in the right shapes; nothing otherwise (a missing, stale or damaged file).
std::optional<NetWeights> LoadCached(const std::string& path, const std::string& key_text,
                                     const QuantNetDefinition& net) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue saved_key;
    if (!archive.try_read("key", saved_key) || !saved_key.isString() ||
        saved_key.toStringRef() != key_text)
      return std::nullopt;
    NetWeights weights;
    for (size_t i = 0; i < net.layers.size(); ++i) {
      torch::Tensor weight, bias;
      if (!archive.try_read(WeightName(net, i), weight) ||
          !archive.try_read(BiasName(net, i), bias))
        return std::nullopt;
      if (weight.sizes() != c10::IntArrayRef(WeightShape(net.layers[i])) ||
          bias.sizes() != c10::IntArrayRef({int64_t{net.layers[i].out_channels}}) ||
          weight.scalar_type() != torch::kFloat32 || bias.scalar_type() != torch::kFloat32)
        return std::nullopt;
      weights.weights.push_back(weight.detach());
      weights.biases.push_back(bias.detach());
    }
    return weights;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: trained again and overwritten
  }
}

// Made before training, so that an unwritable cache fails at once, not after minutes.
void CreateModelDirectory(const std::string& path) {
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  if (error)
    throw IoError("cannot create the model cache directory " +
                  fs::path(path).parent_path().string() + " (" + error.message() +
                  "): choose a writable cache directory");
}

// Saves to a temporary file beside `path`, then renames it: readers in other processes see the
// old file or the whole new one.
void SaveAtomically(const std::string& path, const std::string& key_text,
                    const QuantNetDefinition& net, const NetWeights& weights) {
  std::error_code error;
  const std::string temporary = path + ".tmp" + std::to_string(getpid());
  try {
    torch::serialize::OutputArchive archive;
    archive.write("key", c10::IValue(key_text));
    for (size_t i = 0; i < net.layers.size(); ++i) {
      archive.write(WeightName(net, i), weights.weights[i].detach());
      archive.write(BiasName(net, i), weights.biases[i].detach());
    }
    archive.save_to(temporary);
  } catch (const std::exception&) {
    fs::remove(temporary, error);
    throw IoError("cannot write the model cache file " + temporary +
                  ": choose a writable cache directory");
  }
  fs::rename(temporary, path, error);
  if (error)
    throw IoError("cannot write the model cache file " + path + " (" + error.message() +
                  "): choose a writable cache directory");
}

NetWeights TrainFloat(const QuantNetDefinition& net, const SplitTensors& train,
                      const SplitTensors& validation, const TrainSettings& settings,
                      const std::function<void(const std::string&)>& log) {
  torch::manual_seed(settings.seed);
  NetWeights weights = InitialWeights(net);
  const Rng root(settings.seed);
  const std::vector<int64_t> chosen =
      FirstOfShuffle(train.size(), settings.train_subset, root.Fork("train-subset"));
  Rng order = root.Fork("train-order");
  torch::optim::Adam optimizer(weights.all(), torch::optim::AdamOptions(settings.learning_rate));
  const QuantPlan plan = FloatPlan(net.layers.size());
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    const Clock::time_point start = Clock::now();
    const double loss = TrainEpoch(net, weights, plan, train,
                                   EpochBatches(chosen, settings.batch_size, order), optimizer);
    if (settings.decay_every > 0 && epoch % settings.decay_every == 0)
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options())
            .lr(static_cast<torch::optim::AdamOptions&>(group.options()).lr() / 2);
    if (log) {
      const double accuracy =
          static_cast<double>(CountCorrect(net, weights.weights, weights.biases, 0, validation)) /
          static_cast<double>(validation.size());
      log(net.name + ": epoch " + std::to_string(epoch) + "/" + std::to_string(settings.epochs) +
          ", loss " + Format("%.4f", loss) + ", validation accuracy " + Format("%.4f", accuracy) +
          Format(" (%.1f s)", SecondsSince(start)));
    }
  }
  return weights;
}

}  // namespace

TrainedNet::TrainedNet(std::unique_ptr<State> state) : state_(std::move(state)) {}
TrainedNet::~TrainedNet() = default;

std::unique_ptr<TrainedNet> TrainedNet::LoadOrTrain(
    const QuantNetDefinition& definition, const FashionMnist& data, const TrainSettings& train,
    const std::string& cache_dir, const std::function<void(const std::string&)>& log) {
  if (train.epochs < 1 || train.batch_size < 1 || !(train.learning_rate > 0))
    throw ConfigError("training needs at least one epoch, a positive batch size and learning rate");
  UseQuantThreads();
  auto state = std::make_unique<State>();
  state->definition = definition;
  state->train = ToTensors(data.train);
  state->validation = ToTensors(data.validation);
  state->test = ToTensors(data.test);
  // The thread count changes how LibTorch splits its sums, and so the trained weights' last
  // bits: a model trained on another count is another model.
  const std::string key_text = std::string(kModelFormat) + '\n' + definition.canonical_text() +
                               "data " + data.digest + '\n' + train.canonical_text() + " threads " +
                               std::to_string(QuantThreads()) + '\n';
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(Fnv1a(key_text)));
  state->cache_key = definition.name + "-" + hash;
  state->cache_path = (fs::path(cache_dir) / "models" / (state->cache_key + ".pt")).string();

  if (std::optional<NetWeights> cached = LoadCached(state->cache_path, key_text, definition)) {
    state->weights = std::move(*cached);
    state->loaded = true;
    if (log) log(definition.name + ": loaded the trained model " + state->cache_path);
  } else {
    CreateModelDirectory(state->cache_path);
    const Clock::time_point start = Clock::now();
    state->weights = TrainFloat(definition, state->train, state->validation, train, log);
    state->train_seconds = SecondsSince(start);
    for (torch::Tensor& w : state->weights.weights) w = w.detach();
    for (torch::Tensor& b : state->weights.biases) b = b.detach();
    SaveAtomically(state->cache_path, key_text, definition, state->weights);
    if (log)
      log(definition.name + Format(": trained in %.1f s, saved ", state->train_seconds) +
          state->cache_path);
  }
  return std::unique_ptr<TrainedNet>(new TrainedNet(std::move(state)));
}

const QuantNetDefinition& TrainedNet::definition() const { return state_->definition; }

double TrainedNet::Accuracy(Split split, const std::vector<int>& bits,
                            const QuantSettings& settings, uint64_t seed) const {
  const QuantNetDefinition& net = state_->definition;
  if (!bits.empty() && bits.size() != net.layers.size())
    throw ConfigError(net.name + " has " + std::to_string(net.layers.size()) +
                      " quantizable layers; " + std::to_string(bits.size()) + " bit widths given");
  QuantPlan plan = FloatPlan(net.layers.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] < 1)
      throw ConfigError("bit width " + std::to_string(bits[i]) + " for " + net.layers[i].name +
                        " (1 and more; 32 = floating point)");
    plan.bits[i] = std::min(bits[i], kFloatBits);
  }
  const FineTuneSettings& fine = settings.fine_tune;
  if (settings.activation_bits < 0 || fine.epochs < 0 || fine.subset < 0 ||
      (fine.epochs > 0 && (fine.batch_size < 1 || !(fine.learning_rate > 0))))
    throw ConfigError("quantization settings out of range: " + settings.canonical_text());
  plan.restore_scale = settings.restore_scale;
  plan.scale = settings.scale;
  plan.activation_bits = settings.activation_bits;
  UseQuantThreads();

  const SplitTensors& measured = split == Split::kTest ? state_->test : state_->validation;
  NetWeights tuned;
  const NetWeights* evaluated = &state_->weights;
  if (fine.epochs > 0) {
    tuned = state_->weights.TrainableCopy();
    torch::optim::SGD optimizer(
        tuned.all(), torch::optim::SGDOptions(fine.learning_rate).momentum(fine.momentum));
    Rng rng = Rng(seed).Fork("fine-tune");
    for (int epoch = 0; epoch < fine.epochs; ++epoch) {
      const std::vector<int64_t> chosen =
          FirstOfShuffle(state_->train.size(), fine.subset, rng.Fork("subset", epoch));
      TrainEpoch(net, tuned, plan, state_->train, EpochBatches(chosen, fine.batch_size, rng),
                 optimizer);
    }
    evaluated = &tuned;
  }
  torch::NoGradGuard no_grad;
  const int64_t correct = CountCorrect(net, EffectiveWeights(*evaluated, plan), evaluated->biases,
                                       plan.activation_bits, measured);
  return static_cast<double>(correct) / static_cast<double>(measured.size());
}

std::vector<double> TrainedNet::weight_std() const {
  std::vector<double> deviations;
  for (const torch::Tensor& w : state_->weights.weights)
    deviations.push_back(w.std(/*unbiased=*/false).item<double>());
  return deviations;
}

std::string TrainedNet::cache_key() const { return state_->cache_key; }
std::string TrainedNet::cache_path() const { return state_->cache_path; }
bool TrainedNet::loaded_from_cache() const { return state_->loaded; }
double TrainedNet::train_seconds() const { return state_->train_seconds; }

}  // namespace tessel
