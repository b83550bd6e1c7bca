#include "problems/quant/quant_setup.h"

#include <cstdio>

#include "core/error.h"
#include "core/key_values.h"
#include "problems/quant/fashion_mnist.h"
#include "problems/quant/quant_nets.h"

namespace tessel {
namespace {

// A trained network's accuracies on one split, with one quantizer and fine-tune setting. The
// network is loaded (or trained) on first use, so that bad input is refused at once.
class TrainedNetAccuracy : public QuantAccuracy {
 public:
  TrainedNetAccuracy(const QuantSetup& setup, const QuantNetDefinition& definition,
                     FashionMnist data, std::string cache_dir)
      : setup_(setup), definition_(definition), data_(std::move(data)), cache_dir_(cache_dir) {}

  // Floating point is the trained network as it is: fine-tuning it would only train it longer.
  double FloatAccuracy() override {
    return Net().Accuracy(setup_.split, {}, QuantSettings{}, setup_.training.seed);
  }
  double Accuracy(const std::vector<int>& bits) override {
    return Net().Accuracy(setup_.split, bits, setup_.quantization, setup_.training.seed);
  }
  std::vector<double> WeightStd() override { return Net().weight_std(); }
  // What picks the trained weights (the definition, the data, the training settings and the
  // thread count, as TrainedNet keys its cache) and what is done with them.
  std::string Identity() const override {
    return "{\"net\":\"" + definition_.name + "\",\"definition\":\"" +
           Digest(definition_.canonical_text()) + "\",\"data\":\"" + data_.digest +
           "\",\"training\":\"" + setup_.training.canonical_text() +
           "\",\"threads\":" + std::to_string(QuantThreads()) + ",\"split\":\"" +
           (setup_.split == Split::kTest ? "test" : "validation") + "\",\"quantizer\":\"" +
           setup_.quantization.canonical_text() + "\"}";
  }

 private:
  TrainedNet& Net() {
    if (!net_)
      net_ = TrainedNet::LoadOrTrain(definition_, data_, setup_.training, cache_dir_, setup_.log);
    return *net_;
  }
  // FNV-1a, as hex: the definition's text is long.
  static std::string Digest(const std::string& text) {
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
  }

  QuantSetup setup_;
  const QuantNetDefinition& definition_;
  FashionMnist data_;
  std::string cache_dir_;
  std::unique_ptr<TrainedNet> net_;
};

}  // namespace

std::unique_ptr<QuantProblem> MakeQuantProblem(const QuantSetup& setup) {
  const QuantNetDefinition& definition = FindQuantNet(setup.net);
  const std::string cache_dir = setup.cache_dir.empty() ? DefaultCacheDir() : setup.cache_dir;
  FashionMnist data = LoadFashionMnist(
      setup.dataset_dir.empty() ? DefaultDatasetDir() : setup.dataset_dir, cache_dir);
  auto accuracy =
      std::make_unique<TrainedNetAccuracy>(setup, definition, std::move(data), cache_dir);
  return std::make_unique<QuantProblem>(definition.name, definition.layers, std::move(accuracy),
                                        setup.problem);
}

FineTuneSettings ParseFineTune(const std::string& spec) {
  FineTuneSettings settings;
  for (const auto& [key, value] : SplitKeyValues(spec, "--fine-tune")) {
    if (key == "epochs") {
      settings.epochs = static_cast<int>(ParseOptionNumber(value, "--fine-tune", key, true));
    } else if (key == "subset") {
      settings.subset = static_cast<int>(ParseOptionNumber(value, "--fine-tune", key, true));
    } else if (key == "lr") {
      settings.learning_rate = ParseOptionNumber(value, "--fine-tune", key, false);
    } else if (key == "momentum") {
      settings.momentum = ParseOptionNumber(value, "--fine-tune", key, false);
    } else if (key == "batch") {
      settings.batch_size = static_cast<int>(ParseOptionNumber(value, "--fine-tune", key, true));
    } else {
      throw ConfigError("--fine-tune has no option '" + key +
                        "'; use epochs, subset, lr, momentum, batch");
    }
  }
  if (settings.epochs < 0 || settings.subset < 0 || settings.batch_size < 1 ||
      !(settings.learning_rate > 0) || !(settings.momentum >= 0 && settings.momentum < 1))
    throw ConfigError(
        "--fine-tune needs epochs >= 0, subset >= 0 (0: the whole training split), batch >= 1, "
        "lr > 0 and momentum in [0, 1)");
  return settings;
}

TrainSettings ParseTrainSettings(const std::string& spec, TrainSettings settings) {
  for (const auto& [key, value] : SplitKeyValues(spec, "--train")) {
    if (key == "epochs") {
      settings.epochs = static_cast<int>(ParseOptionNumber(value, "--train", key, true));
    } else if (key == "subset") {
      settings.train_subset = static_cast<int>(ParseOptionNumber(value, "--train", key, true));
    } else if (key == "lr") {
      settings.learning_rate = ParseOptionNumber(value, "--train", key, false);
    } else if (key == "batch") {
      settings.batch_size = static_cast<int>(ParseOptionNumber(value, "--train", key, true));
    } else {
      throw ConfigError("--train has no option '" + key + "'; use epochs, subset, lr, batch");
    }
  }
  if (settings.epochs < 1 || settings.train_subset < 0 || settings.batch_size < 1 ||
      !(settings.learning_rate > 0))
    throw ConfigError(
        "--train needs epochs >= 1, subset >= 0 (0: the whole training split), batch >= 1 and "
        "lr > 0");
  return settings;
}

Split SplitFromName(const std::string& name) {
  if (name == "validation") return Split::kValidation;
  if (name == "test") return Split::kTest;
  throw ConfigError("unknown split '" + name + "'; use validation (searching) or test (checking)");
}

}  // namespace tessel
