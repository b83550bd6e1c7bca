// Trains (or loads from the cache) a quantization network on Fashion-MNIST and measures the
// accuracy it keeps with every layer's weights at the same bit width: DoReFa's weights with
// and without the layer's scale restored, post-training and after a fine-tune, on the
// validation and the test split, with the time each evaluation took. One line per
// measurement, as a table.
//
//   quant_training --net lenet5 --seed 1 [--epochs 8 --lr 0.001 --batch 64 --decay-every 3]
//                  [--bits 2,3,4,5,6,7,8] [--scales none,max,mean] [--fine-tune-epochs 0,1]
//                  [--fine-tune-subset 0] [--fine-tune-lr 0.01] [--momentum 0.9]
//                  [--activation-bits 0] [--eval-seed 1] [--repeat 1] [--threads 1]
//                  [--cache DIR] [--dataset DIR]
//
// --repeat N evaluates each configuration N times in the process and checks that every
// repetition gives the same accuracy (determinism).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "problems/quant/quant_model.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct ScaleChoice {
  std::string name;
  bool restore = false;
  WeightScale scale = WeightScale::kMaxAbs;
};

ScaleChoice ParseScale(const std::string& name) {
  if (name == "none") return {name, false, WeightScale::kMaxAbs};
  if (name == "max") return {name, true, WeightScale::kMaxAbs};
  if (name == "mean") return {name, true, WeightScale::kMeanAbs};
  throw ConfigError("unknown scale '" + name + "' (none, max, mean)");
}

int Main(int argc, char** argv) {
  std::string net_name = "lenet5", cache_dir = DefaultCacheDir(), dataset_dir = DefaultDatasetDir();
  TrainSettings train;
  std::vector<int> bit_widths = {2, 3, 4, 5, 6, 7, 8};
  std::vector<std::string> scales = {"none", "max", "mean"};
  std::vector<int> fine_tune_epochs = {0, 1};
  FineTuneSettings fine;
  int activation_bits = 0, repeat = 1, threads = 1;
  uint64_t eval_seed = 1;
  bool float_only = false;
  CLI::App app{"float and quantized accuracy of a quantization network on Fashion-MNIST"};
  app.add_option("--net", net_name, "lenet5 or convnet6")->capture_default_str();
  app.add_option("--seed", train.seed, "training seed")->capture_default_str();
  app.add_option("--epochs", train.epochs, "training epochs")->capture_default_str();
  app.add_option("--lr", train.learning_rate, "Adam's learning rate")->capture_default_str();
  app.add_option("--batch", train.batch_size, "training batch")->capture_default_str();
  app.add_option("--decay-every", train.decay_every, "epochs between halvings of the rate")
      ->capture_default_str();
  app.add_option("--train-subset", train.train_subset, "training images; 0 = all")
      ->capture_default_str();
  app.add_option("--bits", bit_widths, "uniform bit widths to measure");
  app.add_option("--scales", scales, "none, max, mean");
  app.add_option("--fine-tune-epochs", fine_tune_epochs, "fine-tune epochs to measure");
  app.add_option("--fine-tune-subset", fine.subset, "fine-tune images per epoch; 0 = all")
      ->capture_default_str();
  app.add_option("--fine-tune-lr", fine.learning_rate, "SGD's learning rate")
      ->capture_default_str();
  app.add_option("--momentum", fine.momentum, "SGD's momentum")->capture_default_str();
  app.add_option("--activation-bits", activation_bits, "0 = float activations")
      ->capture_default_str();
  app.add_option("--eval-seed", eval_seed, "seed of the fine-tune's data order")
      ->capture_default_str();
  app.add_option("--repeat", repeat, "evaluations of each configuration (must agree)")
      ->capture_default_str();
  app.add_option("--threads", threads, "LibTorch threads; 0 = every core")->capture_default_str();
  app.add_flag("--float-only", float_only, "only the float accuracy");
  app.add_option("--cache", cache_dir, "cache directory")->capture_default_str();
  app.add_option("--dataset", dataset_dir, "Fashion-MNIST directory")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  SetQuantThreads(threads);

  const Clock::time_point load_start = Clock::now();
  const FashionMnist data = LoadFashionMnist(dataset_dir, cache_dir);
  std::printf("# data %s loaded in %.2f s, %d threads\n", data.digest.c_str(),
              SecondsSince(load_start), QuantThreads());
  const QuantNetDefinition& net = FindQuantNet(net_name);
  const auto log = [](const std::string& line) {
    std::printf("# %s\n", line.c_str());
    std::fflush(stdout);
  };
  const std::unique_ptr<TrainedNet> trained =
      TrainedNet::LoadOrTrain(net, data, train, cache_dir, log);
  std::printf("# %s (%lld multiply-adds), %s, key %s, train %.1f s\n", net.name.c_str(),
              static_cast<long long>(net.macs()), train.canonical_text().c_str(),
              trained->cache_key().c_str(), trained->train_seconds());
  std::printf("# weight std:");
  for (double deviation : trained->weight_std()) std::printf(" %.4f", deviation);
  std::printf("\n");

  const QuantSettings float_settings;
  Clock::time_point start = Clock::now();
  const double float_validation = trained->Accuracy(Split::kValidation, {}, float_settings, 0);
  const double float_eval_seconds = SecondsSince(start);
  const double float_test = trained->Accuracy(Split::kTest, {}, float_settings, 0);
  std::printf("float %s seed %llu: validation %.4f test %.4f (validation in %.3f s)\n",
              net.name.c_str(), static_cast<unsigned long long>(train.seed), float_validation,
              float_test, float_eval_seconds);
  if (float_only) return 0;

  std::printf("%-8s %5s %6s %4s %10s %6s %6s %7s\n", "net", "scale", "tune", "bits", "validation",
              "test", "eval_s", "repeats");
  int mismatches = 0;
  for (int epochs : fine_tune_epochs)
    for (const std::string& scale_name : scales)
      for (int bits : bit_widths) {
        const ScaleChoice choice = ParseScale(scale_name);
        QuantSettings settings;
        settings.restore_scale = choice.restore;
        settings.scale = choice.scale;
        settings.activation_bits = activation_bits;
        settings.fine_tune = fine;
        settings.fine_tune.epochs = epochs;
        const std::vector<int> uniform(net.layers.size(), bits);
        start = Clock::now();
        const double validation =
            trained->Accuracy(Split::kValidation, uniform, settings, eval_seed);
        const double seconds = SecondsSince(start);
        bool same = true;
        for (int again = 1; again < repeat; ++again)
          same &= trained->Accuracy(Split::kValidation, uniform, settings, eval_seed) == validation;
        mismatches += same ? 0 : 1;
        const double test = trained->Accuracy(Split::kTest, uniform, settings, eval_seed);
        std::printf("%-8s %5s %6d %4d %10.4f %6.4f %6.2f %7s\n", net.name.c_str(),
                    scale_name.c_str(), epochs, bits, validation, test, seconds,
                    repeat <= 1 ? "-"
                    : same      ? "same"
                                : "DIFFER");
        std::fflush(stdout);
      }
  if (trained->Accuracy(Split::kValidation, {}, float_settings, 0) != float_validation)
    ++mismatches;
  std::printf("# float accuracy after the evaluations: %s\n",
              mismatches == 0 ? "unchanged; repeats identical" : "MISMATCH");
  return mismatches == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& e) {
    std::fprintf(stderr, "quant_training: %s\n", e.what());
    return 2;
  }
}
